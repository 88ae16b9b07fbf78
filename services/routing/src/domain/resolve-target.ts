import { looksDialable } from '@homeline/contracts';

/** A contact as routing's projection holds it (from identity's ContactAdded). */
export interface Contact {
  readonly contactId: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly e164: string;
  /** The member whose contact it is; null for a household contact. */
  readonly memberId: string | null;
  /** A bank's or one-time-password line (identity's ContactAdded.sensitive): its calls in are sensitive. */
  readonly sensitive?: boolean;
}

export type ResolvedTarget =
  | { readonly kind: 'number'; readonly dialString: string }
  | { readonly kind: 'contact'; readonly contact: Contact }
  | { readonly kind: 'refused'; readonly reason: 'unknown_contact' | 'ambiguous_contact' };

/** "  MOM " and "mom" are the same spoken name. */
export const normalizeName = (name: string): string =>
  name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLocaleLowerCase();

/** The contacts a member may reach by name: their own and the household's, never another member's. */
export const visibleContacts = (contacts: readonly Contact[], memberId: string | null): Contact[] =>
  contacts.filter((c) => c.memberId === null || (memberId !== null && c.memberId === memberId));

const answersTo = (contact: Contact, spoken: string): boolean =>
  [contact.name, ...contact.aliases].some((name) => normalizeName(name) === spoken);

/**
 * Turns what the speaker said into something to dial. A dial string is passed through; a name
 * resolves against the speaker's own and the household's contacts, by name or alias, ignoring
 * case. Matches that lead to different numbers are ambiguous: a refusal, never a guess.
 */
export const resolveTarget = (
  target: string,
  speakerMemberId: string | null,
  contacts: readonly Contact[],
): ResolvedTarget => {
  if (looksDialable(target)) return { kind: 'number', dialString: target };
  const spoken = normalizeName(target);
  const matches = visibleContacts(contacts, speakerMemberId).filter((c) => answersTo(c, spoken));
  if (matches.length === 0) return { kind: 'refused', reason: 'unknown_contact' };
  const numbers = new Set(matches.map((c) => c.e164));
  if (numbers.size > 1) return { kind: 'refused', reason: 'ambiguous_contact' };
  const own = matches.find((c) => c.memberId !== null);
  return { kind: 'contact', contact: own ?? matches[0] };
};

/** The visible contact a dialled number belongs to, if any (a child may dial a contact's number). */
export const contactWithNumber = (
  e164: string,
  speakerMemberId: string | null,
  contacts: readonly Contact[],
): Contact | null => visibleContacts(contacts, speakerMemberId).find((c) => c.e164 === e164) ?? null;
