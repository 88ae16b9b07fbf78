import { addressSchema, approvalDecisionSchema, callGrantSchema, deviceLocationSchema, dispatchableLimits, memberRoleSchema, quietWindowSchema, isoInstant } from '@homeline/contracts';
import { z } from 'zod';
import { quietHoursProblems } from '../domain';

/** Request bodies of the registry routes (docs/architecture.md section 6); numbers and keys are checked by the domain. */

const text = z.string().trim().min(1).max(200);
const grants = z.array(callGrantSchema).max(10);

/**
 * A zone of the IANA database, as Intl knows it (routing evaluates quiet hours in it with Intl):
 * "America/New_York", "Europe/Kyiv", "UTC". A bare offset ("+01:00", accepted by newer Intl) is
 * refused: it knows no daylight saving time. Intl.supportedValuesOf('timeZone') is not used: it
 * lists only canonical names, without "UTC" or renamed zones that Intl still accepts.
 */
const isIanaZone = (zone: string): boolean => {
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};
const timezone = z.string().max(64).refine(isIanaZone, { message: 'expected an IANA time zone, e.g. America/New_York' });

/**
 * The registered address and a speaker's room travel with every emergency call, in the leg order
 * routing sends the carrier, whose bodies are at most 64 KiB: unbounded, one long field made the
 * carrier refuse every emergency call of the household. Bounded here, at the door; the event
 * contracts stay as they were, and routing cuts to the same limits what was recorded before.
 */
const address = addressSchema.extend({
  line1: z.string().min(1).max(dispatchableLimits.line1),
  city: z.string().min(1).max(dispatchableLimits.city),
  region: z.string().max(dispatchableLimits.region),
  postalCode: z.string().max(dispatchableLimits.postalCode),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'expected ISO 3166-1 alpha-2').transform((c) => c.toUpperCase()),
});
const location = deviceLocationSchema.extend({ room: z.string().min(1).max(dispatchableLimits.room), floor: z.string().max(dispatchableLimits.floor).optional() });

export const openAccountBody = z.object({
  msisdn: z.string().min(3).max(32),
  displayName: text,
  timezone,
  address,
});

export const addMemberBody = z.object({ name: text, role: memberRoleSchema });

export const changePermissionsBody = z
  /** A new role and/or the member's overrides on top of it: `grant` and `revoke` replace the earlier ones. */
  .object({ role: memberRoleSchema.optional(), grant: grants.optional(), revoke: grants.optional() })
  .refine((b) => b.role || b.grant || b.revoke, { message: 'expected at least one of role, grant, revoke' });

export const voiceprintBody = (dimensions: number) =>
  z.object({ embedding: z.array(z.number().finite()).length(dimensions, `expected ${dimensions} numbers`) });

export const linkDeviceBody = z.object({
  deviceId: z.string().trim().min(1).max(128),
  name: text,
  publicKey: z.string().min(1).max(128),
  location: location.optional(),
});

export const addContactBody = z.object({
  name: text,
  aliases: z.array(text).max(20).optional(),
  number: z.string().min(1).max(32),
  memberId: z.string().min(1).optional(),
  /** A bank's or one-time-password sender's line (docs/architecture.md section 6.1). */
  sensitive: z.boolean().optional(),
});

/** Unknown fields are refused here, not ignored: a misspelt `until` would leave Away Mode on for good. */
export const awayModeBody = z
  .strictObject({ enabled: z.boolean(), until: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time with an offset' }).optional() })
  .refine((b) => b.enabled || b.until === undefined, { path: ['until'], message: 'only Away Mode being turned on can have an end' });

/** Strict like awayModeBody: a misspelt `days` would make a window cover every day. */
export const quietHoursBody = z
  .strictObject({ windows: z.array(quietWindowSchema.strict()).max(14) })
  .superRefine(({ windows }, context) => {
    for (const { path, message } of quietHoursProblems(windows)) context.addIssue({ code: 'custom', path: ['windows', ...path], message });
  });

/** An owner's phone (docs/architecture.md section 6.2); the key is checked by the domain (isAcceptableDeviceKey). */
export const registerApproverBody = z.object({
  approverId: z.string().trim().min(1).max(128),
  publicKey: z.string().min(1).max(128),
});

/** The carrier's account desk closing an account: its record of why (contract ended, number ported out or recycled). */
export const closureBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** The carrier's account recovery: its record of how the account holder was verified. */
export const recoveryBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** An approver's signed answer; the signature is checked by the domain, over exactly these values. */
export const decideApprovalBody = z.object({
  approverId: z.string().min(1).max(128),
  decision: approvalDecisionSchema,
  signedAt: isoInstant(),
  signature: z.string().min(1).max(128),
});
