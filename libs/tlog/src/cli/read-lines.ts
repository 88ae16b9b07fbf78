import { createReadStream } from 'node:fs';

/**
 * A file in chunks of whole lines (each chunk ends just after a newline, except perhaps the last),
 * read in large blocks: an export can be a gigabyte, and splitting it into lines is left to
 * whoever checks them, in parallel.
 */
export async function* readLineChunks(file: string): AsyncIterable<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const block of createReadStream(file, { highWaterMark: 2 * 1024 * 1024 })) {
    const data = rest.length > 0 ? Buffer.concat([rest, block as Buffer]) : (block as Buffer);
    const end = data.lastIndexOf(0x0a);
    if (end < 0) {
      rest = data;
      continue;
    }
    yield data.subarray(0, end + 1);
    rest = data.subarray(end + 1);
  }
  if (rest.length > 0) yield rest;
}

