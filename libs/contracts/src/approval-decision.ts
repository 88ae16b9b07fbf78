import { z } from 'zod';
import { verifyEd25519 } from './device-signature';

/** Domain-separation tag: a signature over this payload means nothing in any other protocol (nor as a voice assertion). */
export const APPROVAL_DECISION_TAG = 'homeline-approval-v1';

export const approvalDecisionSchema = z.enum(['approve', 'deny']);
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** An owner's answer to a held action, as their approver phone signs it (docs/architecture.md section 6.2). */
export interface SignedApprovalDecision {
  readonly approvalId: string;
  readonly decision: ApprovalDecision;
  /** ISO-8601, when the phone signed it; identity refuses one that is not fresh. */
  readonly signedAt: string;
  /** Ed25519, base64, over `approvalSigningPayload(...)` as UTF-8. */
  readonly signature: string;
}

/** The exact string an approver phone signs; identity verifies the same bytes. */
export const approvalSigningPayload = (approvalId: string, decision: ApprovalDecision, signedAt: string): string =>
  JSON.stringify([APPROVAL_DECISION_TAG, approvalId, decision, signedAt]);

/** Whether the approver key `publicKeyBase64` signed this decision, verified strictly (verifyEd25519). */
export const isApprovalSignedBy = (d: SignedApprovalDecision, publicKeyBase64: string): boolean =>
  verifyEd25519(approvalSigningPayload(d.approvalId, d.decision, d.signedAt), d.signature, publicKeyBase64);
