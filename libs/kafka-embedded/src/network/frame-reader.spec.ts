import { FrameReader, FrameSizeError } from './frame-reader';

const frame = (body: string) => {
  const b = Buffer.from(body);
  const size = Buffer.alloc(4);
  size.writeInt32BE(b.length);
  return Buffer.concat([size, b]);
};

describe('the frame reader', () => {
  it('returns whole frames however the bytes are chunked', () => {
    const stream = Buffer.concat([frame('hello'), frame(''), frame('world!')]);
    for (const chunkSize of [1, 2, 3, 5, 7, stream.length]) {
      const reader = new FrameReader(100);
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) {
        for (const f of reader.push(stream.subarray(i, i + chunkSize))) out.push(f.toString());
      }
      expect(out).toEqual(['hello', '', 'world!']);
    }
  });

  it('refuses a frame announcing more than the limit, or a negative size', () => {
    expect(() => new FrameReader(10).push(frame('this is too long'))).toThrow(FrameSizeError);
    expect(() => new FrameReader(10).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(FrameSizeError);
  });

  it('waits for the rest of a frame', () => {
    const reader = new FrameReader(100);
    const f = frame('partial');
    expect(reader.push(f.subarray(0, 6))).toEqual([]);
    expect(reader.push(f.subarray(6)).map(String)).toEqual(['partial']);
  });
});
