const RAW_THRESHOLD = 512;

/**
 * Builds a response as a list of buffers: small fields go to a growing scratch buffer,
 * large byte fields (record batches) are kept by reference so Fetch never copies logs.
 */
export class Writer {
  private parts: Buffer[] = [];
  private scratch = Buffer.allocUnsafe(256);
  private pos = 0;
  private flushedLength = 0;

  get length(): number {
    return this.flushedLength + this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.pos + n));
    this.scratch.copy(bigger, 0, 0, this.pos);
    this.scratch = bigger;
  }

  int8(v: number): this {
    this.room(1);
    this.pos = this.scratch.writeInt8(v, this.pos);
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    this.room(2);
    this.pos = this.scratch.writeInt16BE(v, this.pos);
    return this;
  }
  int32(v: number): this {
    this.room(4);
    this.pos = this.scratch.writeInt32BE(v, this.pos);
    return this;
  }
  int64(v: number | bigint): this {
    this.room(8);
    this.pos = this.scratch.writeBigInt64BE(BigInt(v), this.pos);
    return this;
  }
  nullableString(v: string | null | undefined): this {
    if (v == null) return this.int16(-1);
    const len = Buffer.byteLength(v);
    this.int16(len);
    this.room(len);
    this.pos += this.scratch.write(v, this.pos, 'utf8');
    return this;
  }
  string(v: string): this {
    return this.nullableString(v);
  }
  nullableBytes(v: Buffer | null | undefined): this {
    if (v == null) return this.int32(-1);
    this.int32(v.length);
    return this.raw(v);
  }
  bytes(v: Buffer): this {
    return this.nullableBytes(v);
  }
  /** Record sets: an int32 size followed by several stored buffers, none of them copied. */
  bufferList(list: readonly Buffer[]): this {
    let size = 0;
    for (const b of list) size += b.length;
    this.int32(size);
    for (const b of list) this.raw(b);
    return this;
  }
  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  nullableArray<T>(items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items == null) return this.int32(-1);
    return this.array(items, each);
  }
  unsignedVarint(v: number): this {
    while (v >= 0x80) {
      this.int8(((v & 0x7f) | 0x80) << 24 >> 24);
      v = Math.floor(v / 128);
    }
    return this.int8((v << 24) >> 24);
  }
  raw(buf: Buffer): this {
    if (buf.length < RAW_THRESHOLD) {
      this.room(buf.length);
      this.pos += buf.copy(this.scratch, this.pos);
      return this;
    }
    this.flushScratch();
    this.parts.push(buf);
    this.flushedLength += buf.length;
    return this;
  }

  private flushScratch(): void {
    if (this.pos === 0) return;
    this.parts.push(this.scratch.subarray(0, this.pos));
    this.flushedLength += this.pos;
    this.scratch = this.scratch.subarray(this.pos);
    this.pos = 0;
    if (this.scratch.length < 64) this.scratch = Buffer.allocUnsafe(256);
  }

  toBuffers(): Buffer[] {
    this.flushScratch();
    return this.parts;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toBuffers());
  }
}
