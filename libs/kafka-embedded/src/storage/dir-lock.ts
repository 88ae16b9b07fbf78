import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createConnection, createServer, Server } from 'node:net';
import * as path from 'node:path';

const heldHere = new Set<string>();

/**
 * Keeps two brokers off one data directory with a lock the kernel releases when its holder
 * dies, as Kafka's flock on `.lock` is (Node has no flock). The lock is a listening Unix
 * socket named after the directory's real path: on Linux in the abstract namespace, which
 * has no file and vanishes with the last descriptor; elsewhere a socket file in the
 * directory, taken over once nothing answers on it. A pid file was not enough: a killed
 * broker that its parent has not reaped yet (a zombie), or a recycled pid, still looked alive.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const real = fs.realpathSync(dataDir);
  if (heldHere.has(real)) throw new Error(`kafka-embedded: ${dataDir} is already used by a broker in this process`);
  heldHere.add(real);
  try {
    const server = await bindLock(real);
    server.unref(); // the lock never keeps the process alive
    fs.writeFileSync(path.join(real, '.lock'), `${process.pid}\n`); // for people: who holds it
    return async () => {
      heldHere.delete(real);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  } catch (err) {
    heldHere.delete(real);
    throw err;
  }
}

const lockAddress = (real: string): string =>
  process.platform === 'linux'
    ? `\0homeline-kafka-embedded-${createHash('sha256').update(real).digest('hex')}`
    : path.join(real, '.lock.sock');

async function bindLock(real: string): Promise<Server> {
  const address = lockAddress(real);
  try {
    return await listen(address);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (address.startsWith('\0') || (await answers(address))) {
      throw new Error(`kafka-embedded: ${real} is used by another broker (pid ${holder(real)})`);
    }
    fs.rmSync(address, { force: true }); // a socket file left by a dead broker
    return listen(address);
  }
}

function listen(address: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(address, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function holder(real: string): string {
  try {
    return fs.readFileSync(path.join(real, '.lock'), 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
