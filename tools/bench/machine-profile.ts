import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { processTree } from '@homeline/system';
import { labelOf, oneDecimal, sleep } from './figures';

/**
 * `npm run bench -- --perf`: where the CPU went, sampled by the kernel (Linux `perf record -a`) in
 * every process of the machine, while a rate runs.
 *
 * V8's own profiler (`--profile`) samples at wall-clock ticks and weighs each sample by the time
 * since the last, so a service preempted inside a socket write (the peer it woke runs first on a
 * 2-core machine) is charged for the time it waited: that profile puts 28–35 % of each service in
 * socket writes. The kernel samples only what runs: at the same load the services spend 12–15 %
 * of their CPU in the kernel, every system call and the scheduler together. This profile splits
 * each process's CPU by what runs (V8's compiler, its interpreter and builtins, generated code,
 * the runtime, GC, the kernel); it names no JavaScript function: `--profile` does, with its bias.
 */

const samplesPerSecond = 499;

/** What a sample of a Node.js process was doing, from the symbol and the binary it was in. */
const nodeKind = (sym: string, dso: string): string => {
  if (dso === '[kernel.kallsyms]') return 'kernel';
  if (/compiler::|maglev::|baseline::|Builtins_CompileLazy|v8::internal::(Compiler|Parser|Scanner|Parse|Preparse|BytecodeGenerator|interpreter::BytecodeGenerator)/.test(sym)) return 'V8 compiling';
  if (/Scaveng|Mark(ing|Compact|er)|Sweep|Evacuat|Heap::|GCTracer|Compactor/.test(sym)) return 'GC';
  if (/^Builtins_\w*IC(_|Trampoline|$)/.test(sym)) return 'inline-cache stubs';
  if (sym.startsWith('Builtins_')) return 'interpreter and builtins';
  // V8's generated code: perf names its memory by the map file it would read (/tmp/perf-<pid>.map).
  if (/^\/tmp\/perf-\d+\.map$|^\[JIT\]|^\[unknown\]|^\/\/anon/.test(dso)) return 'compiled JS (baseline and optimised)';
  if (dso.includes('libc.so')) return 'libc (malloc, system-call stubs)';
  return 'Node and V8 runtime (C++)';
};

const postgresKind = (_sym: string, dso: string): string => (dso === '[kernel.kallsyms]' ? 'kernel' : 'PostgreSQL itself');

/** pid -> the process tree it belongs to (a service, the broker, PostgreSQL...), as the CPU figures name them. */
const processLabels = (roots: readonly number[], into: Map<number, string>): Map<number, string> => {
  into.set(process.pid, 'bench client');
  for (const root of roots) {
    const label = labelOf(root);
    for (const pid of processTree(root)) into.set(pid, label);
  }
  return into;
};

/** Samples per process tree ('routing', 'postgres', ...) and kind of work. */
export type MachineSamples = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface MachineProfile {
  stop(): Promise<MachineSamples>;
}

export async function startMachineProfile(roots: readonly number[]): Promise<MachineProfile> {
  const file = join(tmpdir(), `homeline-perf-${process.pid}-${Date.now()}.data`);
  const labels = processLabels(roots, new Map());
  const recorder: ChildProcess = spawn('perf', ['record', '-e', 'cpu-clock', '-F', String(samplesPerSecond), '-a', '-q', '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  recorder.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // perf record ends itself on SIGINT, by re-raising it once the data is written.
  const exited = new Promise<string>((resolve, reject) => {
    recorder.once('error', (error) => reject(new Error(`--perf needs Linux perf on the PATH (Debian: apt install linux-perf): ${error.message}`)));
    recorder.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT' ? 'ok' : `exit ${code ?? signal}`));
  });
  for (let i = 0; !existsSync(file); i++) {
    if (i === 50 || recorder.exitCode !== null) {
      recorder.kill('SIGKILL');
      throw new Error(`perf record did not start: ${stderr.trim() || (await exited)}`);
    }
    await sleep(20);
  }
  return {
    async stop() {
      processLabels(roots, labels); // processes started meanwhile (a new PostgreSQL backend)
      recorder.kill('SIGINT');
      const outcome = await exited;
      if (outcome !== 'ok') throw new Error(`perf record failed (${outcome}): ${stderr.trim()}`);
      try {
        return await tally(file, labels);
      } finally {
        await rm(file, { force: true });
      }
    },
  };
}

/** Reads the samples back with `perf script`. */
async function tally(file: string, labels: ReadonlyMap<number, string>): Promise<MachineSamples> {
  const script = spawn('perf', ['script', '-i', file, '-F', 'pid,ip,sym,dso'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<number | null>((resolve) => script.once('close', resolve));
  const counts = new Map<string, Map<string, number>>();
  // "  5320     7f46...  Builtins_LoadIC (/usr/bin/node)"; the symbol may hold spaces and parentheses.
  for await (const line of createInterface({ input: script.stdout! })) {
    const sample = /^\s*(\d+)\s+[0-9a-f]+\s+(.*?)\s*\(([^()]*)\)$/.exec(line);
    if (!sample) continue;
    const [, pid, sym, dso] = sample;
    const label = labels.get(Number(pid)) ?? 'rest of the machine';
    const kind = label === 'postgres' ? postgresKind(sym, dso) : label === 'rest of the machine' ? (Number(pid) === 0 ? 'idle' : 'other') : nodeKind(sym, dso);
    const byKind = counts.get(label) ?? new Map<string, number>();
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    counts.set(label, byKind);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`perf script failed (exit ${code})`);
  return counts;
}

/** The report's lines: per process tree, ms of CPU per call by kind; then the Node.js processes' shares. */
export function machineProfileLines(counts: MachineSamples, calls: number): string[] {
  const msPerCall = (samples: number) => oneDecimal((samples * 1000) / samplesPerSecond / Math.max(1, calls));
  const sum = (byKind: ReadonlyMap<string, number>) => [...byKind.values()].reduce((a, b) => a + b, 0);
  const lines = ['  CPU ms per call by process and kind (perf, sampled in every process; "rest of the machine" includes idle):'];
  const nodeTotals = new Map<string, number>();
  for (const [label, byKind] of [...counts].sort((a, b) => sum(b[1]) - sum(a[1]))) {
    const kinds = [...byKind].sort((a, b) => b[1] - a[1]);
    lines.push(`    ${label} ${msPerCall(sum(byKind))}: ${kinds.map(([kind, n]) => `${kind} ${msPerCall(n)}`).join(', ')}`);
    if (label === 'postgres' || label === 'rest of the machine' || label === 'bench client') continue;
    for (const [kind, n] of kinds) nodeTotals.set(kind, (nodeTotals.get(kind) ?? 0) + n);
  }
  const nodeSum = sum(nodeTotals);
  lines.push(`    the system's Node.js processes together: ${[...nodeTotals].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${Math.round((100 * n) / Math.max(1, nodeSum))} %`).join(', ')}`);
  return lines;
}
