import type { DataKey } from '../../application/ports';
import { AuditKeyCache } from './key-cache';

const key = (name: string): DataKey => ({ seal: () => name, open: () => undefined });

describe('the audit key cache', () => {
  it('keeps links until it is full, and names the scopes it does not know', () => {
    const cache = new AuditKeyCache(() => 0, 5_000, 2);
    cache.rememberLinks([['device:a', 'acc-1']]);
    expect(cache.linked(['device:a', 'call:b'])).toEqual({ known: new Map([['device:a', 'acc-1']]), unknown: ['call:b'] });
    cache.rememberLinks([['call:b', 'acc-1'], ['call:c', 'acc-2']]); // the third entry starts it afresh
    expect(cache.linked(['device:a', 'call:c']).unknown).toEqual(['device:a']);
  });

  it("keeps a device's link for a key's time to live only (it follows the device to another household), a call's for good", () => {
    let now = 1_000;
    const cache = new AuditKeyCache(() => now, 5_000);
    cache.rememberLinks([['device:a', 'acc-1'], ['call:b', 'acc-1']]);
    now += 5_000;
    expect(cache.linked(['device:a', 'call:b'])).toEqual({ known: new Map([['call:b', 'acc-1']]), unknown: ['device:a'] });
  });

  it('keeps a data key (or its erasure) for its time to live only', () => {
    let now = 1_000;
    const cache = new AuditKeyCache(() => now, 5_000);
    cache.rememberKeys([['account:acc-1', key('k1')], ['account:acc-2', null]]);
    expect(cache.dataKeys(['account:acc-1', 'account:acc-2', 'account:acc-3'])).toEqual({
      found: new Map([['account:acc-1', expect.anything()], ['account:acc-2', null]]),
      missing: ['account:acc-3'],
    });
    now += 5_000;
    expect(cache.dataKeys(['account:acc-1']).missing).toEqual(['account:acc-1']);
  });

  it('forgets every key after an erasure, so the next batch reads them back', () => {
    const cache = new AuditKeyCache(() => 0);
    cache.rememberKeys([['account:acc-1', key('k1')]]);
    cache.forgetKeys();
    expect(cache.dataKeys(['account:acc-1']).missing).toEqual(['account:acc-1']);
  });
});
