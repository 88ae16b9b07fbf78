import * as fs from 'node:fs';
import * as path from 'node:path';

const heldHere = new Set<string>();

/**
 * Keeps two brokers off one data directory: a `.lock` file holding the owner's pid. A lock
 * left by a process that no longer runs (a crash, kill -9) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.resolve(dataDir, '.lock');
  if (heldHere.has(file)) throw new Error(`kafka-embedded: ${dataDir} is already used by a broker in this process`);
  const owner = readOwner(file);
  if (owner !== null && owner !== process.pid && isRunning(owner)) {
    throw new Error(`kafka-embedded: ${dataDir} is used by another broker (pid ${owner})`);
  }
  fs.writeFileSync(file, String(process.pid));
  heldHere.add(file);
  return () => {
    heldHere.delete(file);
    if (readOwner(file) === process.pid) fs.rmSync(file, { force: true });
  };
}

function readOwner(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
