import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';
import { RequestValidationError, type ValidationIssue } from '../errors/request-validation';

/** The largest JSON body a service reads: the express default, far above any body of docs/architecture.md section 6. */
export const BODY_LIMIT = '100kb';

/** A body the service could not read; rendered as a problem document with this status and code. */
export class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestBodyError';
  }
}

// body-parser (http-errors) types, as the client's mistakes they are.
const bodyErrors: Readonly<Record<string, { status: number; code: string; detail?: string }>> = {
  'entity.too.large': { status: 413, code: 'payload_too_large', detail: `The body is larger than the ${BODY_LIMIT} accepted.` },
  'entity.parse.failed': { status: 400, code: 'malformed_json' },
  'encoding.unsupported': { status: 415, code: 'unsupported_content_encoding', detail: 'Content-Encoding may be gzip, deflate, br or identity.' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset' },
  'request.aborted': { status: 400, code: 'request_aborted' },
  'request.size.invalid': { status: 400, code: 'malformed_body', detail: 'The body is shorter or longer than its Content-Length.' },
};

const asBodyError = (error: unknown): RequestBodyError => {
  const { type, message, body } = error as { type?: string; message?: string; body?: unknown };
  // body-parser's strict mode refuses a top-level value that is not an object or array with JSON.parse's words ("Unexpected token 'n'", for null).
  if (type === 'entity.parse.failed' && typeof body === 'string' && !/^\s*[{[]/.test(body)) {
    return new RequestBodyError(400, 'malformed_json', 'The body must be a JSON object.');
  }
  const known = type !== undefined ? bodyErrors[type] : undefined;
  if (known) return new RequestBodyError(known.status, known.code, known.detail ?? message ?? known.code);
  // A zlib error (a gzip body that is not gzip) and anything else raised while reading the body.
  return new RequestBodyError(400, 'malformed_body', `The body could not be read: ${message ?? 'unknown error'}.`);
};

/**
 * PostgreSQL refuses NUL in text and lone surrogates in JSON (`\ud800` alone is not Unicode), so
 * a string holding either would fail deep in a write as a 500. One check here, for every key and
 * string of every JSON body, turns that into the client's 400.
 */
const unacceptable = /[\0\p{Cs}]/u;

const describe = (text: string): string =>
  text.includes('\0') ? 'contains a NUL character (U+0000)' : 'contains a lone UTF-16 surrogate (not Unicode text)';

/** Every string (keys included) that PostgreSQL would refuse, by path; iterative, so a deep body cannot overflow the stack. */
export function unacceptableText(body: unknown, limit = 10): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const pending: [unknown, string][] = [[body, '']];
  while (pending.length > 0 && issues.length < limit) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (unacceptable.test(value)) issues.push({ path, message: describe(value) });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (unacceptable.test(key)) issues.push({ path: childPath, message: `its name ${describe(key)}` });
        pending.push([child, childPath]);
      }
    }
  }
  return issues;
}

/** Whether a request carries a body at all (RFC 9110: a Content-Length above 0, or a Transfer-Encoding). */
const hasBody = (request: Request): boolean =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

// `%00` in the path or the query decodes to NUL; other bytes of a URL cannot reach a lone surrogate.
const encodedNul = /%00/i;

/**
 * Reads JSON bodies for every route: the raw bytes kept as `request.rawBody` (signed webhooks
 * verify them), errors turned into problem documents, and text PostgreSQL would refuse refused here.
 */
export function requestBody(): RequestHandler[] {
  const parse = json({
    limit: BODY_LIMIT,
    verify: (request, _response, buffer, encoding) => {
      // The JSON reader would decode UTF-16, UTF-32 and UTF-7 too: bodies are UTF-8 (docs/architecture.md
      // section 6), and a signed webhook's bytes must not be read as other text by a header its signature
      // does not cover. `encoding` is the charset the reader took from the Content-Type (UTF-8 when none):
      // checked here, no other reading of the header can disagree with it.
      if (encoding !== 'utf-8') throw Object.assign(new Error(`JSON bodies are UTF-8, not ${encoding}.`), { type: 'charset.unsupported' });
      (request as Request & { rawBody?: Buffer }).rawBody = buffer;
    },
  });
  const readBody: RequestHandler = (request, response, next) => {
    // A body the JSON parser would skip (form data, text) would reach validation as "no body" and be
    // answered with the wrong reason: it is refused for what it is.
    if (hasBody(request) && !request.is('application/json')) {
      return next(new RequestBodyError(415, 'unsupported_media_type', `Request bodies are JSON (Content-Type: application/json), not ${request.headers['content-type'] ?? 'untyped'}.`));
    }
    parse(request, response, (error?: unknown) => next(error ? asBodyError(error) : undefined));
  };
  const checkText = (request: Request, _response: Response, next: NextFunction) => {
    if (encodedNul.test(request.originalUrl)) {
      return next(new RequestValidationError([{ path: 'url', message: 'contains a NUL character (%00)' }]));
    }
    const issues = unacceptableText(request.body);
    next(issues.length > 0 ? new RequestValidationError(issues) : undefined);
  };
  return [readBody, checkText];
}
