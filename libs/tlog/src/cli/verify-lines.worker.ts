import { parentPort } from 'node:worker_threads';
import { checkChunk } from '../export-chunk';

/**
 * A worker thread of audit:verify: checks a chunk of an export on its own and sends back the leaf
 * hashes of its good lines (and where the first bad line is), so every core verifies.
 */
parentPort?.on('message', ({ id, first, chunk, strict }: { id: number; first: number; chunk: Uint8Array; strict: boolean }) => {
  const { hashes, failed } = checkChunk(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), first, strict);
  parentPort?.postMessage({ id, ok: hashes.length, failed, hashes: Buffer.concat(hashes) });
});
