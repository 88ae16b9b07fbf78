import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@homeline/platform';
import { Topics } from '@homeline/contracts';
import { startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { identityService } from '../../src/app.module';
import { tapTopic, type TopicTap } from './topic-tap';

export interface IdentityUnderTest {
  readonly app: INestApplication;
  readonly baseUrl: string;
  readonly token: string;
  /** The service's own database, for asserting what it stored. */
  readonly db: DataSource;
  /** An HTTP call with the integration token; the body is JSON, the answer parsed (asserted field by field, hence loosely typed). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts the identity service as `main.ts` does, on a fresh database and a free port. */
export const startIdentity = async (pg: TestPostgres, env: Record<string, string> = {}): Promise<IdentityUnderTest> => {
  const token = randomBytes(24).toString('hex');
  const { app } = await createServiceApp(identityService, {
    DATABASE_URL: await pg.createDatabase(),
    INTEGRATION_TOKEN: token,
    VOICEPRINT_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    ...env,
  });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return { app, baseUrl, token, db: app.get(DataSource), call, close: () => app.close() };
};

/** What one test file of identity runs against; read its parts in tests and in hooks declared after it. */
export interface IdentityFixture {
  readonly pg: TestPostgres;
  readonly kafka: TestKafka;
  /** A client of the test broker, for producers and taps of the file's own. */
  readonly client: Kafka;
  readonly identity: IdentityUnderTest;
  /** Produces to homeline.calls.v1 as calls would; `conversation: true` only. */
  readonly producer: Producer;
  /** Everything identity publishes on homeline.identity.v1; `conversation: true` only. */
  readonly published: TopicTap;
}

/**
 * Starts PostgreSQL, Kafka (Homeline's topics created) and identity before the file's tests, and
 * stops them after. With `conversation`, also a producer to calls' topic and a tap of identity's,
 * for files that talk to identity over Kafka.
 */
export const useIdentity = (options: { env?: Record<string, string>; conversation?: boolean } = {}): IdentityFixture => {
  const parts: Partial<{ -readonly [K in keyof IdentityFixture]: IdentityFixture[K] }> = {};
  beforeAll(async () => {
    [parts.pg, parts.kafka] = await Promise.all([startTestPostgres(), startTestKafka()]);
    parts.client = parts.kafka.client();
    parts.identity = await startIdentity(parts.pg, { KAFKA_BROKERS: parts.kafka.brokers.join(','), ...options.env });
    if (options.conversation) {
      parts.producer = parts.client.producer({ idempotent: true });
      await parts.producer.connect();
      parts.published = await tapTopic(parts.client, Topics.identity);
    }
  });
  afterAll(async () => {
    await parts.published?.stop();
    await parts.producer?.disconnect();
    await parts.identity?.close();
    await parts.kafka?.stop();
    await parts.pg?.stop();
  });
  const part = <K extends keyof IdentityFixture>(name: K): IdentityFixture[K] => {
    const value = parts[name];
    if (value === undefined) throw new Error(`the identity fixture has no ${name}${name === 'producer' || name === 'published' ? ' without conversation: true' : ' before its beforeAll ran'}`);
    return value as IdentityFixture[K];
  };
  return {
    get pg() { return part('pg'); },
    get kafka() { return part('kafka'); },
    get client() { return part('client'); },
    get identity() { return part('identity'); },
    get producer() { return part('producer'); },
    get published() { return part('published'); },
  };
};
