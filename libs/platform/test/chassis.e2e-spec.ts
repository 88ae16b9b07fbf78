import type { INestApplication } from '@nestjs/common';
import { EmbeddedBroker, startBroker } from '@homeline/kafka-embedded';
import { startTestPostgres, TestPostgres } from '@homeline/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { ConfigError, IdempotencyStore, createServiceApp } from '../src';
import { probeService } from './probe.module';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const integrationToken = 'integration-token-for-tests';
const complianceToken = 'compliance-token-for-tests';

type Json = { [key: string]: unknown };
const json = async <T = Json>(response: Response): Promise<T> => (await response.json()) as T;

describe('a service on the chassis', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let brokerDir: string;
  let app: INestApplication;
  let base: string;

  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${integrationToken}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    postgres = await startTestPostgres();
    brokerDir = await mkdtemp(join(tmpdir(), 'homeline-chassis-kafka-'));
    broker = await startBroker({ dataDir: brokerDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet });
    const env = {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: broker.address,
      INTEGRATION_TOKEN: integrationToken,
      COMPLIANCE_TOKEN: complianceToken,
      LOG_LEVEL: 'silent',
    };
    ({ app } = await createServiceApp(probeService, env));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await broker?.stop();
    await postgres?.stop();
    await rm(brokerDir, { recursive: true, force: true });
  });

  it('is live without a token', async () => {
    const response = await get('/health/live');
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ status: 'ok' });
  });

  it('is ready when its database and Kafka answer', async () => {
    const response = await get('/health/ready');
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, kafka: { status: 'up' } },
    });
  });

  it('refuses a request without a bearer token with a problem document', async () => {
    const response = await get('/v1/probe');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await json(response)).toMatchObject({ status: 401, code: 'unauthorized', type: 'urn:homeline:problem:unauthorized' });
  });

  it('serves a request with the integration token', async () => {
    const response = await get('/v1/probe', integrationToken);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ hello: 'integration' });
  });

  it('keeps compliance routes for the compliance token', async () => {
    expect((await get('/v1/probe/audit', integrationToken)).status).toBe(401);
    expect((await get('/v1/probe/audit', complianceToken)).status).toBe(200);
  });

  it('turns a domain error into problem details with its stable code', async () => {
    const response = await get('/v1/probe/refusal', integrationToken);
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({
      type: 'urn:homeline:problem:speaker_not_verified',
      title: 'Forbidden',
      status: 403,
      detail: 'The voice did not match a member of the household.',
      code: 'speaker_not_verified',
    });
  });

  it('cuts a streamed response that fails midway, so the client is not left waiting for the rest', async () => {
    const response = await get('/v1/probe/stream', integrationToken);
    expect(response.status).toBe(200); // the headers had gone: too late for a problem document
    // The body ends in an error, at once; before, the connection stayed open with the body unfinished.
    await expect(response.text()).rejects.toThrow();
  });

  it('answers 400 invalid_request listing what is wrong with a body', async () => {
    const response = await post('/v1/probe/calls', { target: '' });
    expect(response.status).toBe(400);
    const problem = await json<{ issues: { path: string }[] }>(response);
    expect(problem).toMatchObject({ code: 'invalid_request' });
    expect(problem.issues.map((issue) => issue.path)).toEqual(['deviceId', 'target']);
  });

  it('replays the response of a request repeated with the same Idempotency-Key', async () => {
    const body = { deviceId: 'kitchen', target: 'Mom' };
    const first = await post('/v1/probe/calls', body, { 'idempotency-key': 'k-1' });
    const again = await post('/v1/probe/calls', { target: 'Mom', deviceId: 'kitchen' }, { 'idempotency-key': 'k-1' });
    const other = await post('/v1/probe/calls', body, { 'idempotency-key': 'k-2' });
    expect([first.status, again.status, other.status]).toEqual([202, 202, 202]);
    const [a, b, c] = await Promise.all([first, again, other].map((r) => json<{ callId: string }>(r)));
    expect(b.callId).toBe(a.callId);
    expect(c.callId).not.toBe(a.callId);
  });

  it('runs two concurrent requests with one Idempotency-Key once', async () => {
    const body = { deviceId: 'hall', target: 'Mom' };
    const responses = await Promise.all([1, 2, 3].map(() => post('/v1/probe/calls', body, { 'idempotency-key': 'k-race' })));
    const callIds = new Set(await Promise.all(responses.map(async (r) => (await json<{ callId: string }>(r)).callId)));
    expect(callIds.size).toBe(1);
  });

  it('refuses an Idempotency-Key reused for a different request', async () => {
    await post('/v1/probe/calls', { deviceId: 'kitchen', target: 'Mom' }, { 'idempotency-key': 'k-3' });
    const response = await post('/v1/probe/calls', { deviceId: 'kitchen', target: 'Dad' }, { 'idempotency-key': 'k-3' });
    expect(response.status).toBe(422);
    expect(await json(response)).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('forgets Idempotency-Keys older than their time to live, a batch at a time, and keeps the others', async () => {
    const body = { deviceId: 'porch', target: 'Mom' };
    for (const key of ['k-old-1', 'k-old-2', 'k-new']) await post('/v1/probe/calls', body, { 'idempotency-key': key });
    const db = app.get(DataSource);
    await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE key LIKE 'k-old-%'`);
    const store = app.get(IdempotencyStore);
    expect(await store.expire(86_400, 1)).toBe(1);
    expect(await store.expire(86_400, 1)).toBe(1);
    expect(await store.expire(86_400, 1)).toBe(0);
    const left: { key: string }[] = await db.query(`SELECT key FROM idempotency_keys WHERE key LIKE 'k-old-%' OR key = 'k-new'`);
    expect(left.map((row) => row.key)).toEqual(['k-new']);
    // A forgotten key runs its request again, even another one.
    expect((await post('/v1/probe/calls', { ...body, target: 'Dad' }, { 'idempotency-key': 'k-old-1' })).status).toBe(202);
    expect((await post('/v1/probe/calls', { ...body, target: 'Dad' }, { 'idempotency-key': 'k-new' })).status).toBe(422);
  });

  it('exposes Prometheus metrics without a token, request durations by route among them', async () => {
    await get('/v1/probe', integrationToken);
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total{service="calls"}');
    expect(text).toMatch(/http_request_duration_seconds_count\{service="calls",method="GET",route="\/v1\/probe",status_code="200"\} \d+/);
  });

  it('keeps an idle keep-alive connection open past Node\'s 5 s, and tells clients it does (65 s)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const live = () =>
      new Promise<{ status?: number; keepAlive?: string; reused: boolean }>((resolve, reject) => {
        const request = httpGet(`${base}/health/live`, { agent }, (response) => {
          response.resume();
          response.once('end', () => resolve({ status: response.statusCode, keepAlive: String(response.headers['keep-alive']), reused: request.reusedSocket }));
        });
        request.once('error', reject);
      });
    try {
      expect(await live()).toEqual({ status: 200, keepAlive: 'timeout=65', reused: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await live()).toEqual({ status: 200, keepAlive: 'timeout=65', reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);

  it('is not ready once Kafka stops answering, and says the database is still up', async () => {
    await broker.stop();
    const response = await get('/health/ready');
    expect(response.status).toBe(503);
    expect(await json(response)).toMatchObject({
      status: 'error',
      details: { database: { status: 'up' }, kafka: { status: 'down' } },
    });
  });

  it('serves its OpenAPI document at /docs', async () => {
    expect((await get('/docs')).status).toBe(200);
    const document = await json<{ info: { title: string }; paths: Json }>(await get('/docs-json'));
    expect(document.info.title).toBe('Homeline calls');
    expect(Object.keys(document.paths)).toContain('/v1/probe/calls');
  });

  it('declares in its OpenAPI document that every route may answer problem details', async () => {
    type Operation = { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> };
    const document = await json<{ paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { required: string[] }> } }>(await get('/docs-json'));
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path));
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations)
      expect(operation.responses.default?.content?.['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(document.components.schemas.Problem.required).toEqual(expect.arrayContaining(['status', 'code']));
  });
});

describe('replicas starting together on one database', () => {
  it('both start, and each migration is applied once', async () => {
    const postgres = await startTestPostgres();
    const env = {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: '127.0.0.1:9',
      INTEGRATION_TOKEN: integrationToken,
      COMPLIANCE_TOKEN: complianceToken,
      LOG_LEVEL: 'silent',
    };
    const replicas = await Promise.all([createServiceApp(probeService, env), createServiceApp(probeService, env)]);
    try {
      await Promise.all(replicas.map(({ app }) => app.init()));
      const dataSource = replicas[0].app.get(DataSource);
      const applied: { name: string }[] = await dataSource.query('SELECT name FROM migrations');
      expect(applied.map((m) => m.name)).toEqual(['CreateIdempotencyKeys1764000000000']);
    } finally {
      await Promise.all(replicas.map(({ app }) => app.close()));
      await postgres.stop();
    }
  });
});

describe('a service started with a bad environment', () => {
  it('fails before starting, naming each bad variable', async () => {
    const started = createServiceApp(probeService, { HTTP_PORT: 'http', INTEGRATION_TOKEN: integrationToken });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/HTTP_PORT: expected a number[\s\S]*DATABASE_URL: is required[\s\S]*COMPLIANCE_TOKEN: is required/);
  });
});
