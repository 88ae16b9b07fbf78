import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@homeline/platform';
import type { TestPostgres } from '@homeline/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { identityService } from '../../src/app.module';

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
