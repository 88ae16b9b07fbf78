import type { Envelope } from '@homeline/contracts';
import type { AuditEntry } from './audit-entry';

/**
 * What the compliance team did through the audit API, recorded in the log like any event
 * (docs/architecture.md section 7): entry queries, exports, erasures and self-checks. Proof,
 * consistency and checkpoint requests are not recorded: they return only hashes of what is
 * already committed, and monitors poll them (docs/decisions.md).
 */
export type ComplianceAction =
  | { readonly type: 'AuditEntriesQueried'; readonly data: { readonly filters: Record<string, string | number> } }
  | { readonly type: 'AuditExportServed'; readonly data: { readonly from: number; readonly to: number } }
  | { readonly type: 'AuditAccountErased'; readonly data: { readonly accountId: string; readonly reason: string } }
  | { readonly type: 'AuditSelfCheckRun'; readonly data: { readonly treeSize: number; readonly ok: boolean } };

export interface ActionContext {
  readonly id: string;
  readonly now: string;
  /** The request's correlation id (trace id), so the action can be found in the logs. */
  readonly correlationId: string;
}

export const complianceEntry = (action: ComplianceAction, context: ActionContext): AuditEntry => {
  const accountId = action.type === 'AuditAccountErased' ? action.data.accountId : null;
  const event: Envelope = {
    id: context.id,
    type: action.type,
    source: 'audit',
    streamId: 'audit-compliance',
    streamVersion: 0,
    occurredAt: context.now,
    correlationId: context.correlationId,
    causationId: null,
    accountId,
    data: { ...action.data, actor: 'compliance' },
  };
  return { event, keyScope: null, receivedAt: context.now };
};
