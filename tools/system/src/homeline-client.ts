import type { VoiceAssertion } from '@homeline/contracts';

/** What an integration sees of Homeline: its HTTP API, with the bearer tokens npm start generated. */
export interface Endpoints {
  readonly identity: string;
  readonly calls: string;
  readonly routing: string;
  readonly audit: string;
}

export interface Credentials {
  readonly integrationToken: string;
  readonly complianceToken: string;
  readonly carrierWebhookSecret: string;
}

export interface CallView {
  readonly callId: string;
  readonly direction: string;
  readonly status: string;
  readonly reason?: string;
  readonly memberId?: string;
  readonly deviceId: string;
  readonly destination?: { class: string; e164: string };
  /** Inbound calls (docs/architecture.md section 6.1): the caller, their contact name, and every device rung. */
  readonly from?: string;
  readonly callerName?: string;
  readonly sensitive?: boolean;
  readonly devices?: ReadonlyArray<{ deviceId: string; state: 'ringing' | 'cancelled' | 'answered' | 'refused'; reason?: string }>;
  readonly timeline: ReadonlyArray<{ type: string; at: string; data?: Record<string, unknown> }>;
}

export const finalStatuses = ['ended', 'rejected', 'failed'];

export class HttpProblem extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

export class HomelineClient {
  constructor(private readonly endpoints: Endpoints, private readonly credentials: Credentials) {}

  async request<T>(service: keyof Endpoints, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = service === 'audit' ? this.credentials.complianceToken : this.credentials.integrationToken;
    const response = await fetch(`${this.endpoints[service]}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : {};
    if (!response.ok) throw new HttpProblem(response.status, parsed);
    return parsed as T;
  }

  openAccount(body: { msisdn: string; displayName: string; timezone: string; address: Record<string, string> }) {
    return this.request<{ accountId: string }>('identity', 'POST', '/v1/accounts', body);
  }

  addMember(accountId: string, body: { name: string; role: string }) {
    return this.request<{ memberId: string }>('identity', 'POST', `/v1/accounts/${accountId}/members`, body);
  }

  enrollVoiceprint(accountId: string, memberId: string, embedding: readonly number[]) {
    return this.request('identity', 'POST', `/v1/accounts/${accountId}/members/${memberId}/voiceprints`, { embedding });
  }

  /** 201 when linked; 202 { approvalId, status: "pending" } when the account has an approver (section 6.2). */
  linkDevice(accountId: string, body: { deviceId: string; name: string; publicKey: string; location?: { room: string; floor?: string } }) {
    return this.request<{ approvalId?: string; status?: string }>('identity', 'POST', `/v1/accounts/${accountId}/devices`, body);
  }

  addContact(accountId: string, body: { name: string; aliases?: string[]; number: string; memberId?: string; sensitive?: boolean }) {
    return this.request<{ contactId: string }>('identity', 'POST', `/v1/accounts/${accountId}/contacts`, body);
  }

  placeCall(body: { deviceId: string; target: string; voice: VoiceAssertion }, idempotencyKey?: string) {
    return this.request<{ callId: string; status: string }>('calls', 'POST', '/v1/calls', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  /** "Alexa, answer": the device's answer to a ringing inbound call, with its voice assertion (purpose answer-call). */
  answerCall(callId: string, body: { deviceId: string; voice: VoiceAssertion }) {
    return this.request<{ callId: string; status: string }>('calls', 'POST', `/v1/calls/${callId}/answer`, body);
  }

  setAwayMode(accountId: string, body: { enabled: boolean; until?: string }) {
    return this.request('identity', 'PUT', `/v1/accounts/${accountId}/away-mode`, body);
  }

  setQuietHours(accountId: string, windows: ReadonlyArray<{ days?: string[]; start: string; end: string }>) {
    return this.request('identity', 'PUT', `/v1/accounts/${accountId}/quiet-hours`, { windows });
  }

  /** Changes a member's role or grants; answers 202 { approvalId, status: "pending" } when an owner must approve it. */
  updateMember(accountId: string, memberId: string, body: { role?: string; grant?: string[]; revoke?: string[] }) {
    return this.request<{ approvalId?: string; status?: string }>('identity', 'PATCH', `/v1/accounts/${accountId}/members/${memberId}`, body);
  }

  registerApprover(accountId: string, memberId: string, body: { approverId: string; publicKey: string }) {
    return this.request('identity', 'POST', `/v1/accounts/${accountId}/members/${memberId}/approvers`, body);
  }

  decideApproval(accountId: string, approvalId: string, body: { approverId: string; decision: 'approve' | 'deny'; signedAt: string; signature: string }) {
    return this.request<{ status: string }>('identity', 'POST', `/v1/accounts/${accountId}/approvals/${approvalId}`, body);
  }

  getApproval(accountId: string, approvalId: string) {
    return this.request<{ status: 'pending' | 'approved' | 'denied' | 'expired'; action: Record<string, unknown> }>(
      'identity', 'GET', `/v1/accounts/${accountId}/approvals/${approvalId}`);
  }

  getCall(callId: string) {
    return this.request<CallView>('calls', 'GET', `/v1/calls/${callId}`);
  }

  hangUp(callId: string) {
    return this.request<CallView>('calls', 'POST', `/v1/calls/${callId}/hangup`, {});
  }

  auditEntries(query: Record<string, string>) {
    return this.request<{ entries: Array<{ type: string; source: string; callId: string | null; index: number }>; nextCursor: string | null }>(
      'audit', 'GET', `/v1/audit/entries?${new URLSearchParams(query)}`);
  }

  /** Polls the call until it reaches one of `statuses` (default: a final one). */
  async waitForCall(callId: string, statuses: readonly string[] = finalStatuses, timeoutMs = 20_000): Promise<CallView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const call = await this.getCall(callId);
      if (statuses.includes(call.status)) return call;
      if (Date.now() > until) throw new Error(`call ${callId} still ${call.status} after ${timeoutMs} ms: ${JSON.stringify(call.timeline.map((e) => e.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
