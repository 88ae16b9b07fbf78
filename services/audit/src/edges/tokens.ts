/** Injection tokens of the audit's ports. */
export const AUDIT_STORE = Symbol('AuditStore');
