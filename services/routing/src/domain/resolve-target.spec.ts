import { contactWithNumber, resolveTarget, type Contact } from './resolve-target';

const contact = (
  contactId: string,
  name: string,
  e164: string,
  memberId: string | null,
  aliases: string[] = [],
): Contact => ({
  contactId,
  name,
  aliases,
  e164,
  memberId,
});
const alicesMom = contact('c1', 'Mom', '+15550100001', 'alice', ['Mother']);
const bobsMom = contact('c2', 'Mom', '+15550100002', 'bob');
const grandma = contact('c3', 'Grandma', '+15550100003', null, ['Nana']);
const pizza = contact('c4', 'Pizza', '+15550100004', null);
const alicesPizza = contact('c5', 'pizza', '+15550100005', 'alice');
const contacts = [alicesMom, bobsMom, grandma, pizza, alicesPizza];

describe('resolving what the speaker asked for', () => {
  it("finds the speaker's own contact by name", () =>
    expect(resolveTarget('Mom', 'alice', contacts)).toEqual({ kind: 'contact', contact: alicesMom }));

  it('gives another member their own "Mom"', () =>
    expect(resolveTarget('Mom', 'bob', contacts)).toEqual({ kind: 'contact', contact: bobsMom }));

  it('matches aliases, ignoring case and spacing', () => {
    expect(resolveTarget('  mother ', 'alice', contacts)).toEqual({ kind: 'contact', contact: alicesMom });
    expect(resolveTarget('NANA', 'bob', contacts)).toEqual({ kind: 'contact', contact: grandma });
  });

  it("never reaches another member's personal contact", () =>
    expect(resolveTarget('Mother', 'bob', contacts)).toEqual({ kind: 'refused', reason: 'unknown_contact' }));

  it('refuses a name that matches nobody', () =>
    expect(resolveTarget('Dad', 'alice', contacts)).toEqual({ kind: 'refused', reason: 'unknown_contact' }));

  it('refuses a name that leads to two different numbers, rather than guess', () =>
    expect(resolveTarget('Pizza', 'alice', contacts)).toEqual({ kind: 'refused', reason: 'ambiguous_contact' }));

  it('passes a dial string through', () =>
    expect(resolveTarget('+1 555 010 9999', 'alice', contacts)).toEqual({
      kind: 'number',
      dialString: '+1 555 010 9999',
    }));

  it('finds which visible contact a dialled number belongs to', () => {
    expect(contactWithNumber('+15550100003', 'bob', contacts)).toEqual(grandma);
    expect(contactWithNumber('+15550100001', 'bob', contacts)).toBeNull();
  });
});
