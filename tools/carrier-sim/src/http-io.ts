import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodError } from 'zod';

/** What a handler answers: a status, a JSON body (none for 204) and extra headers. */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An answer in RFC 9457 problem details, with a stable `code` as Homeline's own APIs give. */
export const problem = (status: number, code: string, detail: string, headers?: Record<string, string>): Answer => ({
  status,
  body: { type: `urn:carrier-sim:problem:${code}`, title: code.replace(/_/g, ' '), status, code, detail },
  headers: { 'content-type': 'application/problem+json', ...headers },
});

export class BodyTooLarge extends Error {}

/** The raw request body as text; refuses one over `limit` bytes without reading the rest. */
export const readBody = (request: IncomingMessage, limit: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        request.pause();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

export const send = (response: ServerResponse, answer: Answer): void => {
  const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    ...(text ? { 'content-type': 'application/json' } : {}),
    ...answer.headers,
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
};

/** JSON.parse that says "not JSON" instead of throwing. */
export const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/** A schema's complaints in one line: `e164: an E.164 number; emergency: expected boolean`. */
export const issuesOf = (error: ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
