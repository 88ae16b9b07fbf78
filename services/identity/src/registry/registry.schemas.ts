import { addressSchema, callGrantSchema, deviceLocationSchema, memberRoleSchema } from '@homeline/contracts';
import { z } from 'zod';

/** Request bodies of the registry routes (docs/architecture.md section 6); numbers and keys are checked by the domain. */

const text = z.string().trim().min(1).max(200);
const grants = z.array(callGrantSchema).max(10);

const timezone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone, e.g. America/New_York' },
);

export const openAccountBody = z.object({
  msisdn: z.string().min(3).max(32),
  displayName: text,
  timezone,
  address: addressSchema.extend({ country: z.string().regex(/^[A-Za-z]{2}$/, 'expected ISO 3166-1 alpha-2').transform((c) => c.toUpperCase()) }),
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
  location: deviceLocationSchema.optional(),
});

export const addContactBody = z.object({
  name: text,
  aliases: z.array(text).max(20).optional(),
  number: z.string().min(1).max(32),
  memberId: z.string().min(1).optional(),
});
