import { HttpException, HttpStatus } from '@nestjs/common';
import { RequestValidationError } from './request-validation';

/** RFC 9457 problem details, with a stable machine-readable `code`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
  readonly [extension: string]: unknown;
}

/** The status a domain error code maps to, when its error does not carry one. */
export type StatusForCode = Readonly<Record<string, number>>;

export const problemType = (code: string): string => `urn:homeline:problem:${code}`;

/**
 * Domain errors stay free of Nest: any Error with a snake_case string `code` is one,
 * optionally with an HTTP `status`; otherwise the service's code map, else 422.
 */
export function isDomainError(error: unknown): error is Error & { code: string; status?: number } {
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code);
}

export function toProblem(error: unknown, statusForCode: StatusForCode = {}): Problem {
  if (error instanceof RequestValidationError) {
    return problem(400, 'invalid_request', 'The request is not valid.', { issues: error.issues });
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return problem(status, codeForStatus(status), httpDetail(error));
  }
  if (isDomainError(error)) {
    const status = validStatus(error.status) ?? statusForCode[error.code] ?? 422;
    return problem(status, error.code, error.message);
  }
  return problem(500, 'internal_error', 'An unexpected error occurred.');
}

function problem(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}): Problem {
  return { type: problemType(code), title: titleFor(status), status, detail, code, ...extensions };
}

function httpDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
}

function validStatus(status: unknown): number | undefined {
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
}

const titleFor = (status: number): string =>
  (HttpStatus[status] ?? 'Error').toLowerCase().split('_').map((w, i) => (i === 0 ? w[0].toUpperCase() + w.slice(1) : w)).join(' ');

const codeForStatus = (status: number): string => (HttpStatus[status] ?? 'error').toLowerCase();
