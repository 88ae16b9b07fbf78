import { z } from 'zod';

/** What routing makes of a dial target (docs/architecture.md section 2). */
export const destinationClasses = ['emergency', 'short_code', 'premium', 'international', 'domestic'] as const;
export const destinationClassSchema = z.enum(destinationClasses);
export type DestinationClass = z.infer<typeof destinationClassSchema>;

/**
 * What a member may call, as identity publishes it (role defaults with the member's overrides
 * already applied). `contacts` lets a member call numbers in their own or the household's
 * contacts of an ordinary class (contactGrantClasses); the others name a destination class, except
 * `answer_sensitive`: answering a sensitive inbound call (docs/architecture.md section 6.1), which no
 * destination needs.
 */
export const callGrants = ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international', 'answer_sensitive'] as const;
export const callGrantSchema = z.enum(callGrants);
export type CallGrant = z.infer<typeof callGrantSchema>;

/** How strongly the speaker was recognised: `high` means the stricter, risky-action threshold was met too. */
export const assuranceSchema = z.enum(['standard', 'high']);
export type Assurance = z.infer<typeof assuranceSchema>;

/**
 * The classes `contacts` reaches. A premium or international number needs its own grant whatever
 * the contact list says: otherwise saving such a number as a contact would hand its class to
 * everyone who may call contacts — a child, an adult without the grant (issue 11, finding 2).
 */
export const contactGrantClasses: readonly DestinationClass[] = ['domestic', 'short_code'];

/** Destination classes that need `high` assurance even when granted. */
export const riskyDestinationClasses: readonly DestinationClass[] = ['premium', 'international'];

export type CallPermission =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: 'not_permitted' | 'insufficient_assurance' };

/**
 * What a published grant set means. Identity decides the grants; routing, which knows the
 * destination, applies them with this one function so both read the grants the same way.
 * Emergency numbers are always allowed.
 */
export const permitsCall = (
  grants: readonly CallGrant[],
  destination: DestinationClass,
  viaContact: boolean,
  assurance: Assurance,
  /** A premium-rate number abroad (Classification.abroad): `premium` and `international` both. */
  abroad = false,
): CallPermission => {
  if (destination === 'emergency') return { allowed: true };
  const granted =
    (grants.includes(destination) && (!abroad || grants.includes('international'))) ||
    (viaContact && grants.includes('contacts') && contactGrantClasses.includes(destination));
  if (!granted) return { allowed: false, reason: 'not_permitted' };
  if (riskyDestinationClasses.includes(destination) && assurance !== 'high') {
    return { allowed: false, reason: 'insufficient_assurance' };
  }
  return { allowed: true };
};
