import type { INestApplication } from '@nestjs/common';
import { EmbeddedBroker, startBroker } from '@homeline/kafka-embedded';
import { startTestPostgres, TestPostgres } from '@homeline/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createServiceApp } from '../src';
import { probeService } from './probe.module';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const token = 'integration-token-for-tests';

/**
 * What a client can get wrong in a request, answered as its mistake: a 4xx problem document with a
 * stable code, never a 500. The probe route writes the body into PostgreSQL (its idempotency row),
 * so text PostgreSQL refuses would surface as a 500 if the edge let it through.
 */
describe('a client mistake in a request', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let brokerDir: string;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    postgres = await startTestPostgres();
    brokerDir = await mkdtemp(join(tmpdir(), 'homeline-mistakes-kafka-'));
    broker = await startBroker({ dataDir: brokerDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet });
    ({ app } = await createServiceApp(probeService, {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: broker.address,
      INTEGRATION_TOKEN: token,
      COMPLIANCE_TOKEN: 'compliance-token-for-tests',
      LOG_LEVEL: 'silent',
    }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await broker?.stop();
    await postgres?.stop();
    await rm(brokerDir, { recursive: true, force: true });
  });

  const send = (body: string | Buffer, headers: Record<string, string> = {}, path = '/v1/probe/calls') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `k-${Math.random()}`, ...headers },
      body,
    });

  const problem = async (response: Response) => ({
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as { code: string; status: number; issues?: { path: string; message: string }[] },
  });

  it('is a 413 payload_too_large for a body over the limit', async () => {
    const answer = await problem(await send(JSON.stringify({ deviceId: 'kitchen', target: 'x'.repeat(200_000) })));
    expect(answer).toMatchObject({ status: 413, type: expect.stringMatching(/^application\/problem\+json/), body: { code: 'payload_too_large', status: 413 } });
  });

  it('is a 400 malformed_body for a gzip body that is not gzip, while a real gzip body is read', async () => {
    expect(await problem(await send('definitely not gzip', { 'content-encoding': 'gzip' }))).toMatchObject({
      status: 400, body: { code: 'malformed_body' },
    });
    const zipped = await send(gzipSync(JSON.stringify({ deviceId: 'kitchen', target: 'Mom' })), { 'content-encoding': 'gzip' });
    expect(zipped.status).toBe(202);
  });

  it('is a 415 unsupported_content_encoding for an encoding the service does not read', async () => {
    expect(await problem(await send('{}', { 'content-encoding': 'x-homeline-custom' }))).toMatchObject({
      status: 415, body: { code: 'unsupported_content_encoding' },
    });
  });

  it('is a 400 malformed_json for a body that is not JSON', async () => {
    expect(await problem(await send('{"deviceId": '))).toMatchObject({ status: 400, body: { code: 'malformed_json' } });
  });

  it('is a 400 malformed_json saying an object is expected for a JSON value that is not one (null, a string)', async () => {
    for (const body of ['null', '"Mom"', '42']) {
      expect(await problem(await send(body))).toMatchObject({ status: 400, body: { code: 'malformed_json', detail: 'The body must be a JSON object.' } });
    }
  });

  it('is a 415 unsupported_media_type for a body that is not JSON by its Content-Type (a form, text)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      expect(await problem(await send('deviceId=kitchen&target=Mom', { 'content-type': type }))).toMatchObject({
        status: 415, type: expect.stringMatching(/^application\/problem\+json/), body: { code: 'unsupported_media_type' },
      });
    }
  });

  it('is a 415 unsupported_charset for a body in a charset other than UTF-8, even one the JSON reader could decode', async () => {
    // The body a signed webhook's HMAC covers is its bytes: read in another charset, the same bytes would say something else.
    const body = JSON.stringify({ deviceId: 'kitchen', target: 'Mom' });
    for (const [charset, bytes] of [
      ['utf-16le', Buffer.from(body, 'utf16le')],
      ['utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')])],
      ['utf-32', Buffer.from(body)],
      ['utf-7', Buffer.from(body)],
      ['iso-8859-1', Buffer.from(body, 'latin1')],
    ] as const) {
      expect({ charset, ...(await problem(await send(bytes, { 'content-type': `application/json; charset=${charset}` }))) }).toMatchObject({
        charset, status: 415, type: expect.stringMatching(/^application\/problem\+json/), body: { code: 'unsupported_charset' },
      });
    }
    expect((await send(body, { 'content-type': 'application/json; charset="UTF-8"' })).status).toBe(202);
  });

  it('reads the charset as the JSON reader does: one inside another parameter\'s quoted value is not the body\'s', async () => {
    const body = JSON.stringify({ deviceId: 'kitchen', target: 'Mom' });
    // The reader decodes this body as UTF-16LE: the "charset=utf-8" is part of foo's value.
    const hidden = await send(Buffer.from(body, 'utf16le'), { 'content-type': 'application/json; foo="x;charset=utf-8"; charset=utf-16le' });
    expect(await problem(hidden)).toMatchObject({ status: 415, body: { code: 'unsupported_charset' } });
    // And a UTF-8 body is read whatever another parameter's value says.
    expect((await send(body, { 'content-type': 'application/json; foo="x;charset=utf-16le"' })).status).toBe(202);
    expect((await send(body, { 'content-type': 'application/json; charset=utf-8; charset=utf-16le' })).status).toBe(202);
  });

  it.each([
    ['a NUL character in a value', '{"deviceId":"kitchen","target":"Mo\\u0000m"}', 'target', /NUL/],
    ['a lone high surrogate in a value', '{"deviceId":"kitchen","target":"\\ud800"}', 'target', /surrogate/],
    ['a lone low surrogate deep in an array', '{"deviceId":"kitchen","target":"Mom","extra":[{"a":["ok","x\\udfffy"]}]}', 'extra.0.a.1', /surrogate/],
    ['a NUL character in a key', '{"deviceId":"kitchen","target":"Mom","bad\\u0000key":1}', 'bad\u0000key', /name contains a NUL/],
  ])('is a 400 invalid_request naming the field for %s', async (_case, body, path, message) => {
    const answer = await problem(await send(body));
    expect(answer).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(answer.body.issues).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('is a 400 invalid_request for %00 in the query', async () => {
    const answer = await problem(await send('{"deviceId":"kitchen","target":"Mom"}', {}, '/v1/probe/calls?note=a%00b'));
    expect(answer).toMatchObject({ status: 400, body: { code: 'invalid_request', issues: [{ path: 'url' }] } });
  });

  it.each([
    ['longer than 255 characters', randomBytes(600).toString('hex')],
    ['with a space', 'two words'],
    ['with characters beyond ASCII', 'clé-ÿ'],
    ['that is empty (a client that lost its key must not lose its idempotency unnoticed)', ''],
  ])('is a 400 invalid_idempotency_key for an Idempotency-Key %s', async (_case, key) => {
    const answer = await problem(await send('{"deviceId":"kitchen","target":"Mom"}', { 'idempotency-key': key }));
    expect(answer).toMatchObject({ status: 400, body: { code: 'invalid_idempotency_key' } });
  });

  it('is a problem document even when Node refuses the request before the service sees it', async () => {
    const overflowing = await fetch(`${base}/v1/probe?pad=${'x'.repeat(20_000)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await problem(overflowing)).toMatchObject({ status: 431, type: expect.stringMatching(/^application\/problem\+json/), body: { code: 'headers_too_large' } });

    const { port } = new URL(base);
    const raw = await new Promise<string>((done) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => done(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'malformed_request' });
  });

  it('still takes emoji, right-to-left text and other well-formed Unicode', async () => {
    const response = await send(JSON.stringify({ deviceId: 'kitchen', target: 'Mom 👩‍👧 \u202eevil\u202c أمي' }));
    expect(response.status).toBe(202);
  });
});
