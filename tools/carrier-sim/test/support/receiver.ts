import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook as it reached the receiver, with whether its signature checked out against the webhook secret. */
export interface Received {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly signedWithSecret: boolean;
}

/** Which webhooks a scripted answer is for: a path, and the carrier call when it is known in advance. */
export interface WebhookMatch {
  readonly path: string;
  readonly carrierCallId?: string;
}

/**
 * Where the simulator's webhooks land in these tests: it records each one, checks its signature
 * the way docs/carrier-api.md says (computed here, not with the simulator's code), and answers
 * from a script of statuses for the webhooks they match (then 204 for status, 202 for inbound).
 * A script names what it is for, so a late webhook of an earlier test cannot take its answer.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly scripts: { match: WebhookMatch; statuses: number[] }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((request, response) => {
      const receiver = holder.receiver!;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = String(request.headers['x-carrier-signature'] ?? '');
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
        const expected = t ? createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex') : '';
        const fresh = Math.abs(Date.now() / 1000 - Number(t)) <= 300;
        const received = { path: request.url ?? '', body: JSON.parse(raw), signedWithSecret: fresh && v1 === expected };
        receiver.received.push(received);
        const status = receiver.scriptedAnswer(received) ?? (received.path === '/v1/carrier/inbound' ? 202 : 204);
        const body = status === 202 ? JSON.stringify({ callId: 'call-from-routing' }) : '';
        response.writeHead(status, body ? { 'content-type': 'application/json' } : {}).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.receiver;
  }

  /** The next webhooks that match are answered with these statuses, in order. */
  answerNext(match: WebhookMatch, ...statuses: number[]): void {
    this.scripts.push({ match, statuses: [...statuses] });
  }

  private scriptedAnswer(webhook: Received): number | undefined {
    const script = this.scripts.find(
      ({ match, statuses }) =>
        statuses.length > 0 &&
        match.path === webhook.path &&
        (match.carrierCallId === undefined || match.carrierCallId === webhook.body.carrierCallId),
    );
    return script?.statuses.shift();
  }

  statusesOf(carrierCallId: string): string[] {
    return this.received
      .filter((r) => r.path === '/v1/carrier/status' && r.body.carrierCallId === carrierCallId)
      .map((r) => `${r.body.sequence} ${r.body.status}`);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
