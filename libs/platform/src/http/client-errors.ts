import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemType } from '../errors/problem';

// Node's HTTP parser refuses a request before any middleware sees it; these are its reasons.
const refusals: Readonly<Record<string, { status: number; code: string; title: string; detail: string }>> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', title: 'Request header fields too large', detail: 'The request line and headers exceed 16 KB.' },
  HPE_URI_OVERFLOW: { status: 414, code: 'uri_too_long', title: 'URI too long', detail: 'The request URI is too long.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', title: 'Request timeout', detail: 'The request did not arrive in time.' },
};
const malformed = { status: 400, code: 'malformed_request', title: 'Bad request', detail: 'The request is not valid HTTP/1.1.' };

/**
 * A request Node's parser refuses (headers over 16 KB, broken HTTP) is answered as a problem
 * document too, instead of Node's bare status line, then the connection is closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || inProgress) return void socket.destroy();
    const refusal = refusals[error.code ?? ''] ?? malformed;
    const body = JSON.stringify({ type: problemType(refusal.code), title: refusal.title, status: refusal.status, detail: refusal.detail, code: refusal.code });
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
