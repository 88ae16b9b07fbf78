import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What integrations need to call the dev stack (docs/architecture.md section 6). */
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

/** Secrets only the servers hold; kept because the data under .data/ depends on them. */
export interface ServerSecrets {
  /** The embedded PostgreSQL password, fixed when its data directory is initialised. */
  readonly postgresPassword: string;
  /** identity's voiceprint encryption key (32 bytes, base64): lose it and the voiceprints are gone. */
  readonly voiceprintKey: string;
}

export async function loadOrCreateServerSecrets(file: string): Promise<ServerSecrets> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as ServerSecrets;
  const secrets: ServerSecrets = { postgresPassword: secret(), voiceprintKey: randomBytes(32).toString('base64') };
  await writeSecretFile(file, secrets);
  return secrets;
}

const secret = (): string => randomBytes(24).toString('base64url');

async function writeSecretFile(file: string, content: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}
