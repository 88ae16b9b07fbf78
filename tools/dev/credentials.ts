import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What integrations need to call the dev stack (ARCHITECTURE.md section 6). */
export interface DevCredentials {
  readonly integrationToken: string;
  readonly complianceToken: string;
  readonly carrierWebhookSecret: string;
}

/** Generated once, at random, into the git-ignored data directory; reused on every later start. */
export async function loadOrCreateCredentials(file: string): Promise<DevCredentials> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as DevCredentials;
  const credentials: DevCredentials = {
    integrationToken: secret(),
    complianceToken: secret(),
    carrierWebhookSecret: secret(),
  };
  await writeSecretFile(file, credentials);
  return credentials;
}

/** The embedded PostgreSQL password, fixed when its data directory is initialised. */
export async function loadOrCreatePostgresPassword(file: string): Promise<string> {
  if (existsSync(file)) return (JSON.parse(await readFile(file, 'utf8')) as { password: string }).password;
  const password = secret();
  await writeSecretFile(file, { password });
  return password;
}

const secret = (): string => randomBytes(24).toString('base64url');

async function writeSecretFile(file: string, content: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}
