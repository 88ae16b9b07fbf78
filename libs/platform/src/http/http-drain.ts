import type { Server } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { toProblem } from '../errors/problem';

/** A request that arrived after the service began to stop. */
class ShuttingDown extends Error {
  readonly code = 'shutting_down';
  readonly status = 503;
  constructor() {
    super('The service is shutting down; send the request again (another instance will take it).');
  }
}

/**
 * Stopping HTTP first, on its own: Nest's app.close() shuts modules down before it closes the
 * server, and server.close() leaves busy keep-alive connections open, so a service kept answering
 * on them (202 for calls it could no longer see through) until its clients paused.
 *
 * Once draining, every request that arrives, on a new or a kept-alive connection, is answered 503
 * `shutting_down` with `Connection: close`; requests already in flight finish and are answered
 * with `Connection: close`; idle connections are closed as soon as they are idle.
 */
export class HttpDrain {
  private draining = false;
  private readonly inFlight = new Set<Response>();

  /** Registered before every other middleware. */
  readonly middleware: RequestHandler = (_request, response, next) => {
    if (this.draining) {
      const problem = toProblem(new ShuttingDown());
      response.setHeader('Connection', 'close');
      response.setHeader('Retry-After', '1');
      response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
      return;
    }
    this.inFlight.add(response);
    response.once('close', () => this.inFlight.delete(response));
    next();
  };

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  /**
   * Stops taking requests and resolves when every connection has closed: the in-flight requests
   * answered, or `graceMs` passed (then the rest are cut).
   */
  async drain(server: Server, graceMs: number): Promise<void> {
    this.draining = true;
    for (const response of this.inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A kept-alive connection turns idle between requests: close each as soon as it does.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.closeIdleConnections();
    try {
      await closed;
    } finally {
      clearInterval(sweep);
      clearTimeout(cut);
    }
  }
}
