import { Socket } from 'node:net';
import { unsupportedApiVersionsBody } from '../apis/api-versions';
import { BrokerContext, HandlerResult, Session } from '../apis/context';
import { HANDLERS } from '../apis/registry';
import { ApiKey, apiName } from '../protocol/api-keys';
import { Reader } from '../protocol/reader';
import { readRequestHeader, RequestHeader } from '../protocol/request-header';
import { FrameReader } from './frame-reader';

interface Slot {
  done: boolean;
  buffers: Buffer[] | null;
}

const SASL_STAGE = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

/** A request the broker will not serve: the connection is closed, as Kafka does. */
class RefusedRequest extends Error {}

/**
 * One client connection: frames in, requests dispatched as they arrive (so a long-polling
 * Fetch does not stall the parse loop), responses written strictly in request order.
 */
export class Connection {
  private readonly frames: FrameReader;
  private readonly pending: Slot[] = [];
  private readonly session: Session;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: BrokerContext,
    maxFrameBytes: number,
  ) {
    this.frames = new FrameReader(maxFrameBytes);
    this.session = { principal: ctx.security ? null : 'ANONYMOUS', sasl: null, closeAfterReply: false };
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail('socket error', err));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.ctx.metrics.bytesIn += chunk.length;
    try {
      for (const frame of this.frames.push(chunk)) this.dispatch(frame);
    } catch (err) {
      this.fail('bad frame', err);
    }
  }

  private dispatch(frame: Buffer): void {
    if (this.closed) return;
    const reader = new Reader(frame);
    const header = readRequestHeader(reader);
    const name = apiName(header.apiKey);
    this.ctx.metrics.countRequest(name);
    const slot: Slot = { done: false, buffers: null };
    this.pending.push(slot);
    this.handle(header, reader).then(
      (result) => this.complete(slot, header, result),
      (err) => this.fail(`${name} v${header.apiVersion} failed`, err),
    );
  }

  private async handle(header: RequestHeader, body: Reader): Promise<HandlerResult> {
    const handler = HANDLERS.get(header.apiKey);
    if (!handler) throw new RefusedRequest(`unknown api key ${header.apiKey}`);
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      // Kafka answers any ApiVersions version it does not know (librdkafka probes with v3) without reading the body.
      if (header.apiKey === ApiKey.ApiVersions) return unsupportedApiVersionsBody();
      throw new RefusedRequest(`unsupported version ${header.apiVersion} of ${apiName(header.apiKey)}`);
    }
    // A SASL listener serves nothing but the handshake until the client has authenticated, as Kafka's does.
    if (this.session.principal === null && !SASL_STAGE.has(header.apiKey)) {
      throw new RefusedRequest(`${apiName(header.apiKey)} before SASL authentication`);
    }
    return handler.handle(this.ctx, { header, clientHost: this.socket.remoteAddress ?? '', session: this.session }, body);
  }

  private complete(slot: Slot, header: RequestHeader, result: HandlerResult): void {
    if (result) {
      const body = result.toBuffers();
      let size = 4;
      for (const b of body) size += b.length;
      const head = Buffer.allocUnsafe(8);
      head.writeInt32BE(size, 0);
      head.writeInt32BE(header.correlationId, 4);
      slot.buffers = [head, ...body];
    }
    slot.done = true;
    this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    let wrote = false;
    while (this.pending.length > 0 && this.pending[0].done) {
      const slot = this.pending.shift()!;
      if (!slot.buffers) continue;
      if (!wrote) this.socket.cork();
      wrote = true;
      for (const b of slot.buffers) {
        this.ctx.metrics.bytesOut += b.length;
        this.socket.write(b);
      }
    }
    if (wrote) this.socket.uncork();
    if (this.session.closeAfterReply && this.pending.length === 0) {
      this.closed = true;
      this.socket.end();
    }
  }

  private fail(what: string, err: unknown): void {
    if (this.closed) return;
    this.ctx.metrics.connectionErrors++;
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as NodeJS.ErrnoException)?.code;
    const quiet = code === 'ECONNRESET' || code === 'EPIPE';
    (quiet ? this.ctx.logger.info : this.ctx.logger.warn).call(this.ctx.logger, `connection error: ${what}, closing`, {
      remote: this.remote,
      error: message,
    });
    this.close();
  }
}
