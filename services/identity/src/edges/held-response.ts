import { z } from 'zod';

/** The answer of an action an owner must first approve (docs/architecture.md section 6.2), for the OpenAPI document. */
export const heldForApproval = [
  202,
  "Held for an owner's approval on the approver's phone: { approvalId, status: 'pending' } (docs/architecture.md 6.2)",
  z.object({ approvalId: z.string(), status: z.literal('pending') }),
] as const;
