import { sign } from 'node:crypto';
import { approvalSigningPayload, type ApprovalDecision } from '@homeline/contracts';
import { deviceKeys, type DeviceKeys } from './keys';

/** The body of `POST /v1/accounts/:id/approvals/:approvalId`, as an owner's phone sends it. */
export interface SignedDecisionBody {
  readonly approverId: string;
  readonly decision: ApprovalDecision;
  readonly signedAt: string;
  readonly signature: string;
}

/** An owner's phone registered as an approver (docs/architecture.md section 6.2): its key pair and what it signs. */
export interface ApproverPhone {
  readonly approverId: string;
  readonly keys: DeviceKeys;
  /** Base64 of the raw 32-byte Ed25519 public key, for `POST .../members/:memberId/approvers`. */
  readonly publicKey: string;
  /** The owner's answer to a held action, signed now unless `signedAt` says when. */
  sign(approvalId: string, decision: ApprovalDecision, signedAt?: string): SignedDecisionBody;
}

/** A phone whose key comes from `seed` (default: the approverId), so a test or the demo can rebuild it. */
export const approverPhone = (approverId: string, seed: string = `approver/${approverId}`): ApproverPhone => {
  const keys = deviceKeys(seed);
  return {
    approverId,
    keys,
    publicKey: keys.publicKeyBase64,
    sign: (approvalId, decision, signedAt = new Date().toISOString()) => ({
      approverId,
      decision,
      signedAt,
      signature: sign(null, Buffer.from(approvalSigningPayload(approvalId, decision, signedAt), 'utf8'), keys.privateKey).toString('base64'),
    }),
  };
};
