import { z } from 'zod';
import { assuranceSchema, callGrantSchema } from './destinations';
import { speakerRejectionReasonSchema } from './reasons';

/**
 * Events identity publishes on `homeline.identity.v1`. The registry events (streamId =
 * accountId) let routing keep its projection of accounts, members, devices and contacts; the
 * speaker decisions (streamId = callId) answer a CallRequested.
 */

const id = z.string().min(1);
const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'E.164, e.g. +15551230001');
export const memberRoleSchema = z.enum(['owner', 'adult', 'child', 'guest']);
export type MemberRole = z.infer<typeof memberRoleSchema>;

export const addressSchema = z.object({
  line1: z.string().min(1),
  city: z.string().min(1),
  region: z.string(),
  postalCode: z.string(),
  /** ISO 3166-1 alpha-2, e.g. "US"; decides the emergency numbers and what is international. */
  country: z.string().length(2),
});
export type Address = z.infer<typeof addressSchema>;

export const deviceLocationSchema = z.object({ room: z.string().min(1), floor: z.string().optional() });
export type DeviceLocation = z.infer<typeof deviceLocationSchema>;

export const accountOpenedSchema = z.object({
  accountId: id,
  msisdn: e164,
  displayName: z.string(),
  timezone: z.string().min(1),
  address: addressSchema,
});
export type AccountOpened = z.infer<typeof accountOpenedSchema>;

export const memberAddedSchema = z.object({
  accountId: id,
  memberId: id,
  name: z.string().min(1),
  role: memberRoleSchema,
  /** Effective grants: the role's defaults with the member's overrides applied. */
  grants: z.array(callGrantSchema),
});
export type MemberAdded = z.infer<typeof memberAddedSchema>;

/** A member's deviations from their role's defaults. */
export const permissionOverridesSchema = z.object({
  grant: z.array(callGrantSchema),
  revoke: z.array(callGrantSchema),
});
export type PermissionOverrides = z.infer<typeof permissionOverridesSchema>;

export const memberPermissionsChangedSchema = z.object({
  accountId: id,
  memberId: id,
  role: memberRoleSchema,
  overrides: permissionOverridesSchema,
  /** Effective grants after the change. */
  grants: z.array(callGrantSchema),
});
export type MemberPermissionsChanged = z.infer<typeof memberPermissionsChangedSchema>;

/** The embedding itself never leaves identity. */
export const voiceprintEnrolledSchema = z.object({
  accountId: id,
  memberId: id,
  dimensions: z.number().int().positive(),
});
export type VoiceprintEnrolled = z.infer<typeof voiceprintEnrolledSchema>;

export const deviceLinkedSchema = z.object({
  accountId: id,
  deviceId: id,
  name: z.string(),
  /** Ed25519, base64 of the raw 32 bytes. */
  publicKey: z.string().min(1),
  location: deviceLocationSchema.nullable(),
});
export type DeviceLinked = z.infer<typeof deviceLinkedSchema>;

export const deviceUnlinkedSchema = z.object({ accountId: id, deviceId: id });
export type DeviceUnlinked = z.infer<typeof deviceUnlinkedSchema>;

export const contactAddedSchema = z.object({
  accountId: id,
  contactId: id,
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)),
  e164,
  /** The member whose contact this is; null for a household contact. */
  memberId: id.nullable(),
});
export type ContactAdded = z.infer<typeof contactAddedSchema>;

export const speakerVerifiedSchema = z.object({
  callId: id,
  accountId: id,
  deviceId: id,
  memberId: id,
  score: z.number(),
  threshold: z.number(),
  /** Best score minus the runner-up's (1 when only one member is enrolled). */
  margin: z.number(),
  liveness: z.number(),
  assurance: assuranceSchema,
  decision: z.literal('accept'),
});
export type SpeakerVerified = z.infer<typeof speakerVerifiedSchema>;

export const speakerRejectedSchema = z.object({
  callId: id,
  /** Null when the device is linked to no account. */
  accountId: id.nullable(),
  deviceId: id,
  reason: speakerRejectionReasonSchema,
  score: z.number().optional(),
  threshold: z.number().optional(),
  liveness: z.number().optional(),
  decision: z.literal('reject'),
});
export type SpeakerRejected = z.infer<typeof speakerRejectedSchema>;

export const identityEventSchemas = {
  AccountOpened: accountOpenedSchema,
  MemberAdded: memberAddedSchema,
  MemberPermissionsChanged: memberPermissionsChangedSchema,
  VoiceprintEnrolled: voiceprintEnrolledSchema,
  DeviceLinked: deviceLinkedSchema,
  DeviceUnlinked: deviceUnlinkedSchema,
  ContactAdded: contactAddedSchema,
  SpeakerVerified: speakerVerifiedSchema,
  SpeakerRejected: speakerRejectedSchema,
} as const;
