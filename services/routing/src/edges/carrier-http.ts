import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header';
import {
  CarrierRejected,
  type CarrierLegOrder,
  type CarrierPort,
  type VoicemailReason,
} from '../application/carrier.port';
import { carrierSignatureHeader, signCarrierPayload } from './carrier-signature';
import { CarrierAnswered, carrierPolicy, CircuitGate, classify, mayHaveBeenCarriedOut } from './carrier-resilience';

export interface HttpCarrierOptions {
  /** CARRIER_API_URL: the operations' paths are appended to it. */
  readonly baseUrl: string;
  /** CARRIER_API_SECRET: every request is signed with it. */
  readonly secret: string;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly connections: number;
  readonly breakerThreshold: number;
  readonly halfOpenAfterMs: number;
  readonly maxRetryDelayMs: number;
  readonly nowSeconds: () => number;
  /** Told of each attempt's outcome: `2xx`, `4xx`, `5xx`, `timeout` or `no_answer` (metrics). */
  readonly onAttempt?: (operation: string, outcome: string) => void;
  readonly onCircuit?: (state: 'open' | 'half_open' | 'closed') => void;
}

const carrierCallIdPattern = /^[\x21-\x7e]{1,128}$/;

/**
 * The carrier's call-control API over HTTP (docs/carrier-api.md): each request signed like the
 * carrier's webhooks, sent on kept-alive connections with an Idempotency-Key that names the
 * operation and its leg or call — so a retry, here or after a crash, is the same request. Failures
 * reach the dispatcher as CarrierUnavailable (try later) or CarrierRejected (give up).
 */
export class HttpCarrier implements CarrierPort {
  readonly gate: CircuitGate;
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly policy;
  private readonly emergencyPolicy;

  constructor(private readonly options: HttpCarrierOptions) {
    const url = new URL(options.baseUrl);
    this.pool = new Pool(url.origin, { connections: options.connections });
    this.prefix = url.pathname.replace(/\/$/, '');
    const { policy, emergencyPolicy, breaker } = carrierPolicy(options);
    this.policy = policy;
    this.emergencyPolicy = emergencyPolicy;
    const probeBudgetMs = options.attempts * (options.timeoutMs + options.maxRetryDelayMs);
    this.gate = new CircuitGate(breaker, options.halfOpenAfterMs, probeBudgetMs);
    breaker.onBreak(() => options.onCircuit?.('open'));
    breaker.onHalfOpen(() => options.onCircuit?.('half_open'));
    breaker.onReset(() => options.onCircuit?.('closed'));
  }

  async placeLeg(order: CarrierLegOrder): Promise<{ carrierCallId: string }> {
    const answer = await this.send('place', '/v1/legs', `place:${order.legId}`, order, order.emergency);
    const carrierCallId = (answer as { carrierCallId?: unknown } | null)?.carrierCallId;
    if (typeof carrierCallId !== 'string' || !carrierCallIdPattern.test(carrierCallId))
      throw new CarrierRejected(
        `placement of leg ${order.legId}: the carrier answered no usable carrierCallId`,
        200,
        'malformed_answer',
      );
    return { carrierCallId };
  }

  async hangUp(carrierCallId: string): Promise<void> {
    await this.send('hang_up', callPath(carrierCallId, 'hangup'), `hangup:${carrierCallId}`, { carrierCallId });
  }

  async bridge(carrierCallId: string, deviceId: string): Promise<void> {
    await this.send('bridge', callPath(carrierCallId, 'bridge'), `bridge:${carrierCallId}`, {
      carrierCallId,
      deviceId,
    });
  }

  async sendToVoicemail(carrierCallId: string, reason: VoicemailReason): Promise<void> {
    await this.send('voicemail', callPath(carrierCallId, 'voicemail'), `voicemail:${carrierCallId}`, {
      carrierCallId,
      reason,
    });
  }

  /** Closes the kept-alive connections once the dispatcher has stopped. */
  async stop(): Promise<void> {
    await this.pool.close();
  }

  private async send(operation: string, path: string, idempotencyKey: string, payload: object, emergency = false): Promise<unknown> {
    // Serialised once: every attempt sends the same bytes under the same key.
    const body = JSON.stringify(payload);
    let carriedOut = false; // by any try: a later refused connection does not undo an earlier timeout
    try {
      // A signal per request: cockatiel hangs each attempt's timeout off it, and off one shared
      // signal 32 requests at once would pile abort listeners on it (Node warns past 10).
      const request = new AbortController();
      return await (emergency ? this.emergencyPolicy : this.policy).execute(
        ({ signal }) =>
          this.attempt(operation, path, idempotencyKey, body, signal).catch((error: unknown) => {
            carriedOut ||= mayHaveBeenCarriedOut(error);
            throw error;
          }),
        request.signal,
      );
    } catch (error) {
      throw classify(error, `carrier ${operation} (${idempotencyKey})`, this.options.timeoutMs, carriedOut);
    }
  }

  private async attempt(
    operation: string,
    path: string,
    idempotencyKey: string,
    body: string,
    signal: AbortSignal,
  ): Promise<unknown> {
    let status: number;
    let text: string;
    let headers: IncomingHttpHeaders;
    try {
      const response = await this.pool.request({
        method: 'POST',
        path: `${this.prefix}${path}`,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          // Signed per attempt: a retry carries a fresh timestamp, well within the carrier's 300 s.
          [carrierSignatureHeader]: signCarrierPayload(this.options.secret, body, this.options.nowSeconds()),
        },
        body,
        signal,
      });
      ({ statusCode: status, headers } = response);
      text = await response.body.text();
    } catch (error) {
      this.options.onAttempt?.(operation, signal.aborted ? 'timeout' : 'no_answer');
      throw error;
    }
    this.options.onAttempt?.(operation, `${Math.floor(status / 100)}xx`);
    if (status >= 200 && status < 300) return parseAnswer(text, operation);
    throw new CarrierAnswered(status, problemCode(text), retryAfterMs(headers['retry-after']));
  }
}

const callPath = (carrierCallId: string, operation: string): string =>
  `/v1/calls/${encodeURIComponent(carrierCallId)}/${operation}`;

const parseAnswer = (text: string, operation: string): unknown => {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new CarrierRejected(`carrier ${operation}: the answer is not JSON`, 200, 'malformed_answer');
  }
};

const problemCode = (text: string): string | undefined => {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
};

/** Retry-After in seconds or as an HTTP date (RFC 9110 section 10.2.3). */
const retryAfterMs = (value: string | string[] | undefined): number | undefined => {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
};
