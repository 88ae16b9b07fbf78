import { MalformedRequestError, Reader } from './reader';
import { Writer } from './writer';

describe('the request reader and response writer', () => {
  it('round-trip every field type', () => {
    const big = Buffer.alloc(2000, 7);
    const w = new Writer()
      .int8(-3)
      .int16(-300)
      .int32(70000)
      .int64(2 ** 40)
      .string('héllo')
      .nullableString(null)
      .bytes(Buffer.from('abc'))
      .nullableBytes(big)
      .array([1, 2, 3], (w, n) => w.int32(n))
      .unsignedVarint(300);
    const r = new Reader(w.toBuffer());
    expect([r.int8(), r.int16(), r.int32(), r.int64(), r.string(), r.nullableString()]).toEqual([-3, -300, 70000, 2 ** 40, 'héllo', null]);
    expect(r.bytes().toString()).toBe('abc');
    expect(r.nullableBytes()!.equals(big)).toBe(true);
    expect(r.array((r) => r.int32())).toEqual([1, 2, 3]);
    expect(r.unsignedVarint()).toBe(300);
    expect(r.remaining).toBe(0);
  });

  it('keeps large byte fields by reference instead of copying them', () => {
    const big = Buffer.alloc(4096, 1);
    const parts = new Writer().int32(1).bytes(big).int16(2).toBuffers();
    expect(parts).toContain(big);
  });

  it('refuses to read past the end or an array larger than the frame', () => {
    expect(() => new Reader(Buffer.from([0, 5, 65])).string()).toThrow(MalformedRequestError);
    expect(() => new Reader(Buffer.from([0x7f, 0, 0, 0])).array((r) => r.int8())).toThrow(MalformedRequestError);
  });
});
