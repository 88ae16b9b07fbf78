import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spanProcessorFor } from '../src';

const root = join(__dirname, '..', '..', '..');

/** What the exporter sent: path, content type and body, as a collector on port 4318 receives them. */
interface Received { readonly url?: string; readonly headers: IncomingHttpHeaders; readonly body: Buffer }

describe('exporting spans over OTLP/HTTP', () => {
  let server: Server;
  let endpoint: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ url: request.url, headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const exportOneSpan = async (protocol: 'http/json' | 'http/protobuf', name: string): Promise<string> => {
    const script = join(__dirname, 'support', 'export-one-span.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', join(root, 'tools', 'register.js'), script, endpoint, protocol, name]);
    return stdout.trim();
  };

  it('posts JSON to <endpoint>/v1/traces with http/json', async () => {
    const traceId = await exportOneSpan('http/json', 'json span');
    const request = received.find((r) => r.body.includes('json span'));
    expect(request).toMatchObject({ url: '/v1/traces', headers: { 'content-type': 'application/json' } });
    const spans = JSON.parse(request!.body.toString()).resourceSpans[0].scopeSpans[0].spans;
    expect(spans).toEqual([expect.objectContaining({ name: 'json span', traceId })]);
  });

  it('posts protobuf to <endpoint>/v1/traces with http/protobuf', async () => {
    const traceId = await exportOneSpan('http/protobuf', 'protobuf span');
    const request = received.find((r) => r.body.includes('protobuf span'));
    expect(request).toMatchObject({ url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' } });
    // Protobuf carries the trace id as its 16 raw bytes.
    expect(request!.body.includes(Buffer.from(traceId, 'hex'))).toBe(true);
  });

  it('exports nothing for none', () => {
    expect(spanProcessorFor({ OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });
});
