import { endCauseSchema, failureReasonSchema, rejectionReasonSchema } from '@homeline/contracts';
import { z } from 'zod';

/**
 * What calls answers, as its OpenAPI document shows it (docs/architecture.md sections 6 and 6.1):
 * documentation only, the answers are built by the handlers (application/call-view.ts).
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
