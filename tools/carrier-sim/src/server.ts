import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CallControlApi, Operation } from './api';
import type { SimControl } from './control';
import type { Faults } from './faults';
import { BodyTooLarge, problem, readBody, send, type Answer } from './http-io';
import { signatureHeader } from './signature';

/** One call-control request as it reached the carrier, for `GET /sim/requests`. */
export interface RequestRecord {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | null;
  /** The status answered, or 'dropped' when the connection was closed without an answer. */
  readonly outcome: number | 'dropped';
  readonly replayed: boolean;
}

const maxBody = 64 * 1024;
const apiRoute = /^\/v1\/(?:(legs)|calls\/([^/]+)\/(hangup|bridge|voicemail))$/;
const maxRecords = 2_000;

/** The simulator's HTTP server: the call-control API (/v1), its control endpoints (/sim), health. */
export const simulatorServer = (deps: {
  readonly api: CallControlApi;
  readonly control: SimControl;
  readonly faults: Faults;
  readonly logger: Logger;
  readonly now: () => Date;
}): { server: Server; requests: RequestRecord[] } => {
  const requests: RequestRecord[] = [];
  const record = (entry: RequestRecord) => {
    requests.push(entry);
    if (requests.length > maxRecords) requests.splice(0, requests.length - maxRecords);
  };

  const callControl = async (
    request: IncomingMessage,
    response: ServerResponse,
    match: RegExpExecArray,
    rawBody: string,
  ) => {
    const base = {
      at: deps.now().toISOString(),
      method: 'POST',
      path: request.url ?? '',
      idempotencyKey: header(request, 'idempotency-key') ?? null,
    };
    const fault = deps.faults.take();
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.drop) {
      record({ ...base, outcome: 'dropped', replayed: false });
      return void request.socket.destroy();
    }
    const answer = fault?.status
      ? problem(
          fault.status,
          'simulated_fault',
          'a fault asked for with POST /sim/faults',
          fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) },
        )
      : deps.api.handle({
          operation: (match[1] ? 'place' : match[3]) as Operation,
          carrierCallId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
          rawBody,
          signature: header(request, signatureHeader),
          idempotencyKey: header(request, 'idempotency-key'),
        });
    record({ ...base, outcome: answer.status, replayed: answer.headers?.['idempotent-replayed'] === 'true' });
    send(response, answer);
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    const method = request.method ?? 'GET';
    if (method === 'GET' && (path === '/health/live' || path === '/health/ready'))
      return send(response, { status: 200, body: { status: 'ok' } });
    if (method === 'GET') return send(response, read(path));
    if (method === 'DELETE' && path === '/sim/faults') return send(response, deps.control.clearFaults());
    if (method !== 'POST') return send(response, problem(405, 'method_not_allowed', `${method} ${path}`));
    const rawBody = await readBody(request, maxBody);
    const api = apiRoute.exec(path);
    if (api) return callControl(request, response, api, rawBody);
    if (path === '/sim/inbound') return send(response, await deps.control.offer(rawBody));
    if (path === '/sim/faults') return send(response, deps.control.addFaults(rawBody));
    const hangUp = /^\/sim\/calls\/([^/]+)\/hang-up$/.exec(path);
    if (hangUp) return send(response, await deps.control.hangUp(decodeURIComponent(hangUp[1])));
    send(response, problem(404, 'not_found', `no route POST ${path}`));
  };

  let connections = 0;
  const read = (path: string): Answer => {
    if (path === '/sim/requests') return { status: 200, body: { requests } };
    if (path === '/sim/stats') return { status: 200, body: { connections, requests: requests.length } };
    const call = /^\/sim\/calls\/([^/]+)$/.exec(path);
    if (call) return deps.control.call(decodeURIComponent(call[1]));
    const leg = /^\/sim\/legs\/([^/]+)$/.exec(path);
    if (leg) return deps.control.leg(decodeURIComponent(leg[1]));
    return problem(404, 'not_found', `no route GET ${path}`);
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) return;
      if (error instanceof BodyTooLarge)
        return send(response, problem(413, 'body_too_large', `bodies are limited to ${maxBody} bytes`));
      if (error instanceof URIError)
        return send(response, problem(400, 'invalid_path', 'the path is not valid percent-encoding'));
      deps.logger.error({ err: error }, 'request failed');
      send(response, problem(500, 'internal_error', 'the simulator failed; see its log'));
    });
  });
  // Homeline keeps its connections alive; the server must not close them first under its feet.
  server.keepAliveTimeout = 65_000;
  server.on('connection', () => connections++);
  return { server, requests };
};

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
