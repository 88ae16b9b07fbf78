import { endCauseSchema, failureReasonSchema, rejectionReasonSchema } from '@homeline/contracts';
import { z } from 'zod';
import type { CallView } from '../application/call-view';
import type { CallStatus, RingingDevice } from '../domain';

/**
 * What calls answers, as its OpenAPI document shows it (docs/architecture.md sections 6 and 6.1):
 * documentation only, the answers are built by the handlers (application/call-view.ts); the type
 * check at the end holds the two to the same fields.
 */
const callStatusSchema = z.enum(['verifying', 'routing', 'ringing', 'connected', 'ended', 'rejected', 'failed']);

/** `202 { callId, status }` of placing a call and of an answer. */
export const acceptedCallSchema = z.object({ callId: z.string(), status: callStatusSchema });

/** `GET /v1/calls/:id`, and the call a hang-up leaves. */
export const callViewSchema = z.object({
  callId: z.string(),
  direction: z.enum(['outbound', 'inbound']),
  status: callStatusSchema,
  reason: z.union([rejectionReasonSchema, failureReasonSchema, endCauseSchema]).optional(),
  memberId: z.string().optional(),
  deviceId: z.string().optional().describe('The device that placed the call, or the one that answered it'),
  target: z.string().optional().describe('An outbound call: the target as the device sent it'),
  destination: z.object({ class: z.string(), e164: z.string() }).optional(),
  from: z.string().optional().describe('An inbound call: the caller, E.164 or "anonymous"'),
  callerName: z.string().optional(),
  sensitive: z.boolean().optional(),
  devices: z
    .array(z.object({ deviceId: z.string(), state: z.enum(['ringing', 'cancelled', 'answered', 'refused']), reason: z.string().optional() }))
    .optional(),
  sipCode: z.number().int().optional(),
  q850: z.number().int().optional(),
  timeline: z.array(z.object({ type: z.string(), at: z.string(), data: z.record(z.string(), z.unknown()) })),
});

/** True when A and B name the same fields: what the document shows and what the handlers build cannot drift apart. */
type SameFields<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type DocumentedView = z.infer<typeof callViewSchema>;
export const callViewDocumented: SameFields<CallView, DocumentedView> & SameFields<RingingDevice, NonNullable<DocumentedView['devices']>[number]>
  & (z.infer<typeof callStatusSchema> extends CallStatus ? (CallStatus extends z.infer<typeof callStatusSchema> ? true : false) : false) = true;
