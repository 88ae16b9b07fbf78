import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { PLATFORM_OPTIONS, PlatformOptions } from '../platform.options';
import { toProblem } from './problem';

/** The one place errors become HTTP responses: RFC 9457 problem details. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  constructor(@Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions) {}

  catch(error: unknown, host: ArgumentsHost): Observable<never> | void {
    // Kafka and other transports handle their own failures; only HTTP gets problem details.
    if (host.getType() !== 'http') return throwError(() => error);
    const problem = toProblem(error, this.options.problemStatus);
    if (problem.status >= 500) this.logger.error(error instanceof Error ? error.stack ?? error.message : String(error));
    const response = host.switchToHttp().getResponse<Response>();
    // Mid-stream (an export whose page query failed): too late for a problem document, and the client
    // must not wait for the rest of a body that will never come. Cutting the connection tells it.
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
