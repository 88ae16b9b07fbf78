/** Thrown when a request body is shorter than its own fields claim: the connection is closed. */
export class MalformedRequestError extends Error {
  readonly code = 'MALFORMED_REQUEST';
}

/** Sequential big-endian reader over one request frame (Kafka's non-flexible encodings). */
export class Reader {
  constructor(
    private readonly buf: Buffer,
    public offset = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): number {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new MalformedRequestError(`request truncated: need ${n} bytes at ${this.offset} of ${this.buf.length}`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  /** int64 as a JS number: offsets, timestamps and producer ids all stay below 2^53. */
  int64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8)));
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }
  string(): string {
    return this.nullableString() ?? '';
  }

  /** Bytes are sliced, not copied: they stay valid as long as the frame does. */
  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }
  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    // Each element takes at least one byte: a huge count in a small frame is malformed.
    if (count > this.remaining) throw new MalformedRequestError(`array of ${count} in ${this.remaining} bytes`);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = item(this);
    return out;
  }
  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  unsignedVarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf.readUInt8(this.need(1));
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
      if (shift > 28) throw new MalformedRequestError('varint too long');
    }
  }

  /** Skips the tagged-field section of a flexible structure. */
  skipTaggedFields(): void {
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint();
      this.need(this.unsignedVarint());
    }
  }
}
