import { crc32c } from './crc32c';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsCrc32C: (buf: Buffer) => number = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C');

describe('CRC-32C', () => {
  it('gives the Castagnoli check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
  });

  it('agrees with kafkajs on buffers of every length around the 8-byte stride', () => {
    for (let length = 0; length < 70; length++) {
      const buf = Buffer.from(Array.from({ length }, (_, i) => (i * 131 + length) & 0xff));
      expect(crc32c(buf)).toBe(kafkajsCrc32C(buf) >>> 0);
    }
  });

  it('covers only the requested range', () => {
    const buf = Buffer.from('xx123456789yy');
    expect(crc32c(buf, 2, 11)).toBe(crc32c(Buffer.from('123456789')));
  });
});
