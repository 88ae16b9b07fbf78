import { ConstantBackoff, handleWhen, retry } from 'cockatiel';
import { Pool } from 'undici';
import { sign, signatureHeader } from './signature';

/** Homeline's answer to one webhook: its status and JSON body (null when it had none). */
export interface WebhookAnswer {
  readonly status: number;
  readonly body: unknown;
}

class Undelivered extends Error {
  constructor(readonly answer: WebhookAnswer) {
    super(`answered ${answer.status}`);
  }
}

/**
 * Posts the carrier's signed webhooks to Homeline (docs/carrier-api.md, "Webhooks") over kept-alive
 * connections. Like a carrier, it tries again after a connection error, a 429 or a 5xx, and not
 * after any other answer: a 4xx is Homeline refusing that webhook, and retrying changes nothing.
 */
export class WebhookSender {
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly policy;

  constructor(
    baseUrl: string,
    private readonly secret: string,
    private readonly nowSeconds: () => number,
    options: { attempts?: number; retryDelayMs?: number } = {},
  ) {
    const url = new URL(baseUrl);
    // A carrier posts from many connections: with few, a slow moment of routing queues every offer behind it.
    this.pool = new Pool(url.origin, { connections: 64 });
    this.prefix = url.pathname.replace(/\/$/, '');
    this.policy = retry(
      handleWhen(
        (error) => !(error instanceof Undelivered) || error.answer.status === 429 || error.answer.status >= 500,
      ),
      { maxAttempts: (options.attempts ?? 3) - 1, backoff: new ConstantBackoff(options.retryDelayMs ?? 200) },
    );
  }

  /** Homeline's last answer; throws only when no answer came at all (connection refused, reset). */
  async post(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<WebhookAnswer> {
    const body = JSON.stringify(payload);
    try {
      return await this.policy.execute(() => this.once(path, body, headers));
    } catch (error) {
      if (error instanceof Undelivered) return error.answer;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async once(path: string, body: string, extra: Record<string, string>): Promise<WebhookAnswer> {
    const response = await this.pool.request({
      method: 'POST',
      path: `${this.prefix}${path}`,
      headers: {
        ...extra,
        'content-type': 'application/json',
        // Signed again on every attempt: a retry carries a fresh timestamp.
        [signatureHeader]: sign(this.secret, body, this.nowSeconds()),
      },
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await response.body.text();
    const answer = { status: response.statusCode, body: parseJson(text) };
    if (answer.status >= 300) throw new Undelivered(answer);
    return answer;
  }
}

const parseJson = (text: string): unknown => {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
