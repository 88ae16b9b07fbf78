import { unacceptableText } from './request-body';

describe('text PostgreSQL would refuse', () => {
  it('is found in values and keys at any depth, by path', () => {
    expect(unacceptableText({ a: ['ok', { 'b\u0000': 1 }], c: '\udc00' })).toEqual([
      { path: 'c', message: expect.stringMatching(/lone UTF-16 surrogate/) },
      { path: 'a.1.b\u0000', message: expect.stringMatching(/its name contains a NUL/) },
    ]);
  });

  it('is not found in well-formed Unicode: emoji (surrogate pairs), right-to-left overrides, combining marks', () => {
    expect(unacceptableText({ name: '👩‍👧 \u202egnp.exe\u202c e\u0301 أمي', list: ['\u{1F600}'] })).toEqual([]);
  });

  it('is looked for without recursion, so a body nested ten thousand deep does not overflow the stack', () => {
    const deep = JSON.parse(`${'['.repeat(10_000)}"\\u0000"${']'.repeat(10_000)}`);
    expect(unacceptableText(deep)).toHaveLength(1);
  });

  it('stops after the first few issues of a body full of them', () => {
    expect(unacceptableText(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(10);
  });
});
