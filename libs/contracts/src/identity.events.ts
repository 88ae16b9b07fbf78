import { z } from 'zod';
import { isoInstant } from './instant';
import { assuranceSchema, callGrantSchema } from './destinations';
import { answerRefusalReasonSchema, speakerRejectionReasonSchema } from './reasons';

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

/**
 * The longest address and speaker location fields identity takes (docs/architecture.md section 6).
 * They travel with every emergency call, in the leg order routing sends the carrier, whose bodies
 * are at most 64 KiB (docs/carrier-api.md); the event schemas stay unbounded for what is recorded.
 */
export const dispatchableLimits = { line1: 200, city: 200, region: 200, postalCode: 32, room: 100, floor: 32 } as const;

/** The first `limit` UTF-16 units of `text` (zod's measure), never half of a surrogate pair. */
const clip = (text: string, limit: number): string => {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
};

/**
 * An address and location cut to dispatchableLimits, for the carrier: one recorded before identity
 * bounded them must not make the carrier refuse the household's emergency calls.
 */
export const dispatchableOf = (address: Address, location: DeviceLocation | null): { address: Address; location: DeviceLocation | null } => ({
  address: {
    ...address,
    line1: clip(address.line1, dispatchableLimits.line1),
    city: clip(address.city, dispatchableLimits.city),
    region: clip(address.region, dispatchableLimits.region),
    postalCode: clip(address.postalCode, dispatchableLimits.postalCode),
  },
  location: location && {
    ...location,
    room: clip(location.room, dispatchableLimits.room),
    ...(location.floor === undefined ? {} : { floor: clip(location.floor, dispatchableLimits.floor) }),
  },
});

export const accountOpenedSchema = z.object({
  accountId: id,
  msisdn: e164,
  displayName: z.string(),
  timezone: z.string().min(1),
  address: addressSchema,
});
export type AccountOpened = z.infer<typeof accountOpenedSchema>;

/**
 * The carrier closed the account (its account desk: the contract ended, the number was ported out or is
 * to be recycled). Each linked speaker's DeviceUnlinked and each waiting approval's ApprovalExpired come
 * before it in the same append; with it the line is free for another household, and identity deletes the
 * account's members, voiceprints, contacts and approvers. `reason` is the desk's record.
 */
export const accountClosedSchema = z.object({ accountId: id, msisdn: e164, reason: z.string().max(500) });
export type AccountClosed = z.infer<typeof accountClosedSchema>;

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
  /** What `DELETE .../members/:memberId/voiceprints/:voiceprintId` names it by. Absent in events before it was added. */
  voiceprintId: id.optional(),
  dimensions: z.number().int().positive(),
});
export type VoiceprintEnrolled = z.infer<typeof voiceprintEnrolledSchema>;

/** A voice the member is no longer recognised by: its sealed embedding is deleted with this event. */
export const voiceprintRemovedSchema = z.object({ accountId: id, memberId: id, voiceprintId: id });
export type VoiceprintRemoved = z.infer<typeof voiceprintRemovedSchema>;

/**
 * A member taken out of the household: every voiceprint they were recognised by and their own
 * contacts (`memberId` theirs) go with them, and every action waiting for approval on their behalf expires.
 */
export const memberRemovedSchema = z.object({ accountId: id, memberId: id });
export type MemberRemoved = z.infer<typeof memberRemovedSchema>;

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
  /** A bank's verification line or a one-time-password sender: only members with answer_sensitive may answer its calls. Absent in older events: false. */
  sensitive: z.boolean().optional(),
});
export type ContactAdded = z.infer<typeof contactAddedSchema>;

/** How a voice was accepted: its score against the threshold it had to reach, its margin, its liveness and the assurance reached. */
const voiceAccepted = {
  score: z.number(),
  threshold: z.number(),
  /** Best score minus the runner-up's (1 when only one member is enrolled). */
  margin: z.number(),
  liveness: z.number(),
  assurance: assuranceSchema,
};

export const speakerVerifiedSchema = z.object({
  callId: id,
  accountId: id,
  deviceId: id,
  memberId: id,
  ...voiceAccepted,
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

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm, 00:00 to 23:59');
export const weekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof weekdaySchema>;

/** A quiet-hours window in the account's local time; `end` before `start` crosses midnight; days: the days it starts on (all when absent). */
export const quietWindowSchema = z.object({
  days: z.array(weekdaySchema).min(1).max(7).optional(),
  start: localTime,
  end: localTime,
});
export type QuietWindow = z.infer<typeof quietWindowSchema>;

/** Away Mode turned on (until a time, or until turned off) or off: nothing rings. */
export const awayModeChangedSchema = z.object({ accountId: id, enabled: z.boolean(), until: isoInstant().nullable() });
export type AwayModeChanged = z.infer<typeof awayModeChangedSchema>;

/** The account's quiet-hours windows, all of them ([] clears). */
export const quietHoursChangedSchema = z.object({ accountId: id, windows: z.array(quietWindowSchema).max(14) });
export type QuietHoursChanged = z.infer<typeof quietHoursChangedSchema>;

/** identity verified an answer and the member may take this call: it wins if it is the first (calls decides). */
export const answerAuthorizedSchema = z.object({
  callId: id,
  answerId: id,
  accountId: id,
  deviceId: id,
  memberId: id,
  ...voiceAccepted,
});
export type AnswerAuthorized = z.infer<typeof answerAuthorizedSchema>;

/** identity refused an answer: that device is marked refused, the others keep ringing. */
export const answerRefusedSchema = z.object({
  callId: id,
  answerId: id,
  accountId: id.nullable(),
  deviceId: id,
  memberId: id.nullable(),
  reason: answerRefusalReasonSchema,
  score: z.number().optional(),
  liveness: z.number().optional(),
});
export type AnswerRefused = z.infer<typeof answerRefusedSchema>;

/**
 * Step-up approval (docs/architecture.md section 6.2). Once an account has an approver, these
 * actions are held until an owner approves them on that phone; until then nothing of them is
 * announced: a held device is in no DeviceLinked, a held grant in no MemberPermissionsChanged.
 */
export const approverRegisteredSchema = z.object({
  accountId: id,
  /** The owner whose phone it is. */
  memberId: id,
  approverId: id,
  /** Ed25519, base64 of the raw 32 bytes: it signs the owner's decisions. */
  publicKey: z.string().min(1),
});
export type ApproverRegistered = z.infer<typeof approverRegisteredSchema>;

/**
 * An approver phone no longer approves: removed with another approver's approval, or by the
 * carrier's account recovery (the account holder verified out of band, `reason` its record).
 */
export const approverRemovedSchema = z.object({
  accountId: id,
  memberId: id,
  approverId: id,
  via: z.enum(['approval', 'carrier_recovery']),
  reason: z.string().max(500).nullable(),
});
export type ApproverRemoved = z.infer<typeof approverRemovedSchema>;

/** What a change of a member gives that needs an owner's approval: the owner role, or one of these grants. */
export const approvalRaiseSchema = z.enum(['owner', 'premium', 'international', 'answer_sensitive']);
export type ApprovalRaise = z.infer<typeof approvalRaiseSchema>;

/** A held action, as the request asked for it: applied exactly so once approved. */
export const approvalActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('link_device'),
    deviceId: id,
    name: z.string(),
    publicKey: z.string().min(1),
    location: deviceLocationSchema.nullable(),
  }),
  z.object({
    type: z.literal('change_member'),
    memberId: id,
    role: memberRoleSchema.optional(),
    grant: z.array(callGrantSchema).optional(),
    revoke: z.array(callGrantSchema).optional(),
    raises: z.array(approvalRaiseSchema).min(1),
  }),
  z.object({ type: z.literal('add_member'), memberId: id, name: z.string().min(1), role: memberRoleSchema }),
  z.object({ type: z.literal('register_approver'), memberId: id, approverId: id, publicKey: z.string().min(1) }),
  /** A linked device taken out of the household: it stays linked, and may call, until approved. */
  z.object({ type: z.literal('unlink_device'), deviceId: id }),
  /** A voice the member will be recognised by (its embedding stays sealed in identity, never in an event). */
  z.object({ type: z.literal('enroll_voiceprint'), memberId: id, voiceprintId: id, dimensions: z.number().int().positive() }),
  /** An approver phone taken off the household (lost, or no longer trusted): another approver must approve it. */
  z.object({ type: z.literal('remove_approver'), memberId: id, approverId: id }),
  /** A voice taken off a member: held, since two members too alike to tell apart may then be told apart (decisions section 27). */
  z.object({ type: z.literal('remove_voiceprint'), memberId: id, voiceprintId: id }),
  /** A member taken out of the household, with their voiceprints and their own contacts: held for the same reason. */
  z.object({ type: z.literal('remove_member'), memberId: id, name: z.string().min(1) }),
]);
export type ApprovalAction = z.infer<typeof approvalActionSchema>;

/** An action held for an owner's approval; the carrier's push service asks the owner's phone. */
export const approvalRequestedSchema = z.object({
  approvalId: id,
  accountId: id,
  action: approvalActionSchema,
  requestedAt: isoInstant(),
  /** Unanswered by then, it expires (ApprovalExpired) and the action is not taken. */
  expiresAt: isoInstant(),
});
export type ApprovalRequested = z.infer<typeof approvalRequestedSchema>;

/** An owner answered on their approver phone (signature verified); an approval is followed in the same append by the action's own event. */
export const approvalDecidedSchema = z.object({
  approvalId: id,
  accountId: id,
  approverId: id,
  /** The owner whose approver signed. */
  memberId: id,
  decision: z.enum(['approve', 'deny']),
  signedAt: isoInstant(),
});
export type ApprovalDecided = z.infer<typeof approvalDecidedSchema>;

/** Nobody answered within APPROVAL_TTL_SECONDS: the action is not taken. */
export const approvalExpiredSchema = z.object({ approvalId: id, accountId: id });
export type ApprovalExpired = z.infer<typeof approvalExpiredSchema>;

export const identityEventSchemas = {
  AccountOpened: accountOpenedSchema,
  AccountClosed: accountClosedSchema,
  MemberAdded: memberAddedSchema,
  MemberPermissionsChanged: memberPermissionsChangedSchema,
  VoiceprintEnrolled: voiceprintEnrolledSchema,
  VoiceprintRemoved: voiceprintRemovedSchema,
  MemberRemoved: memberRemovedSchema,
  DeviceLinked: deviceLinkedSchema,
  DeviceUnlinked: deviceUnlinkedSchema,
  ContactAdded: contactAddedSchema,
  SpeakerVerified: speakerVerifiedSchema,
  SpeakerRejected: speakerRejectedSchema,
  AwayModeChanged: awayModeChangedSchema,
  QuietHoursChanged: quietHoursChangedSchema,
  AnswerAuthorized: answerAuthorizedSchema,
  AnswerRefused: answerRefusedSchema,
  ApproverRegistered: approverRegisteredSchema,
  ApproverRemoved: approverRemovedSchema,
  ApprovalRequested: approvalRequestedSchema,
  ApprovalDecided: approvalDecidedSchema,
  ApprovalExpired: approvalExpiredSchema,
} as const;
