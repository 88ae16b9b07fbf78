import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExportVerifier } from '../export-verifier';
import { checkChunk, countEntries } from '../export-chunk';

interface Reply { id: number; ok: number; failed?: { index: number; reason: string }; hashes: Uint8Array }
interface InFlight { reply: Promise<Reply>; entries: number }

/**
 * Feeds an export to the verifier, its chunks checked in worker threads (one per core): this
 * thread only counts entries to number them, hands each chunk over (transferred, not copied) and
 * appends the leaf hashes that come back, in order. With one core it checks in this thread.
 * A chunk that verified must hold as many entries as the next chunk was numbered after: if not,
 * every later index would be off, so it fails rather than letting mislabelled lines verify.
 */
export async function verifyChunks(chunks: AsyncIterable<Buffer>, verifier: ExportVerifier, options: { strict: boolean; workers?: number }): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), availableParallelism()));
  if (count === 1) {
    for (let first = 0; ; ) {
      const { value: chunk, done } = await iterator.next();
      if (done) return;
      const { hashes, failed } = checkChunk(chunk, first, options.strict);
      for (const leafHash of hashes) verifier.addChecked({ leafHash });
      if (failed) return void verifier.addChecked(failed);
      first += hashes.length;
    }
  }
  const workers = Array.from({ length: count }, () => new Worker(join(__dirname, 'verify-lines.worker.ts')));
  const pending = new Map<number, (reply: Reply) => void>();
  for (const worker of workers) worker.on('message', (reply: Reply) => pending.get(reply.id)?.(reply));
  const inFlight: InFlight[] = [];
  let next = 0;
  let first = 0;
  let failed = false;
  const drainOne = async () => {
    const { reply: replied, entries } = inFlight.shift() as InFlight;
    const reply = await replied;
    for (let i = 0; i < reply.ok && !failed; i++) verifier.addChecked({ leafHash: Buffer.from(reply.hashes.buffer, reply.hashes.byteOffset + i * 32, 32) });
    const reason = reply.failed?.reason ?? (reply.ok === entries ? null : `a chunk verified ${reply.ok} entries but was counted as ${entries}`);
    if (reason !== null && !failed) {
      verifier.addChecked({ reason });
      failed = true;
    }
  };
  try {
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      const chunk = step.value;
      const id = next++;
      const own = Uint8Array.from(chunk); // a buffer of its own, so it can be transferred
      const entries = countEntries(chunk);
      inFlight.push({ reply: new Promise<Reply>((resolve) => pending.set(id, (reply) => (pending.delete(id), resolve(reply)))), entries });
      workers[id % workers.length].postMessage({ id, first, chunk: own, strict: options.strict }, [own.buffer]);
      first += entries;
      if (inFlight.length >= 2 * workers.length) await drainOne();
      if (failed) return;
    }
    while (inFlight.length > 0 && !failed) await drainOne();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
