import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');

/**
 * `npm start`'s stack lock (tools/dev/stack-lock.ts) as a second start reads it: the supervisor
 * rewrites it as it goes from starting to running to stopping, and a start that found it empty
 * would take it for a dead supervisor's and take the data directory over from a live one.
 */
describe("npm start's stack lock", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'homeline-lock-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('always holds a whole owner record for a start that reads it while its holder changes state', async () => {
    const file = join(dataDir, 'stack.lock');
    const holder = spawn(process.execPath, ['-r', './tools/register.js', '-e', `
      const { lockStack } = require('./tools/dev/stack-lock.ts');
      lockStack(${JSON.stringify(dataDir)}, () => undefined).then((lock) => {
        for (let i = 0; i < 5000; i++) lock.setState(i % 2 ? 'running' : 'stopping');
        lock.release();
      });
    `], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise<number | null>((done) => holder.once('exit', done));
    while (!existsSync(file)) await new Promise((r) => setTimeout(r, 1));
    const states = new Set<string>();
    let reads = 0;
    const broken: string[] = [];
    // Read as fast as we can until the holder releases the lock (the file is gone).
    for (;;) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
        throw error;
      }
      reads++;
      try {
        states.add((JSON.parse(text) as { state: string }).state);
      } catch {
        broken.push(text);
      }
    }
    expect(await exited).toBe(0);
    expect({ broken: broken.length, example: broken[0] }).toEqual({ broken: 0, example: undefined });
    // The reads overlapped the holder's rewrites: both states it wrote were seen.
    expect([...states]).toEqual(expect.arrayContaining(['running', 'stopping']));
    expect(reads).toBeGreaterThan(100);
  });
});
