/** A frame's size prefix announced more than the broker accepts, or a negative size. */
export class FrameSizeError extends Error {}

/**
 * Cuts a TCP byte stream into Kafka frames (int32 size + body), copying each body at most
 * once however many chunks it arrived in.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes and returns every complete frame body now available. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const size = this.peekSize();
      if (size < 0 || size > this.maxFrameBytes) throw new FrameSizeError(`frame size ${size} outside 0..${this.maxFrameBytes}`);
      if (this.buffered < 4 + size) break;
      frames.push(this.take(4 + size).subarray(4));
    }
    return frames;
  }

  private peekSize(): number {
    if (this.chunks[0].length >= 4) return this.chunks[0].readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 8));
    this.chunks = [head, ...this.chunksAfter(head.length)];
    return head.readInt32BE(0);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.concat(this.chunks, n);
      this.chunks = this.chunksAfter(n);
    }
    this.buffered -= n;
    return out;
  }

  /** The chunk list with the first n bytes removed. */
  private chunksAfter(n: number): Buffer[] {
    const rest: Buffer[] = [];
    let skip = n;
    for (const c of this.chunks) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      rest.push(skip > 0 ? c.subarray(skip) : c);
      skip = 0;
    }
    return rest;
  }
}
