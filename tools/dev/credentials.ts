import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateKafkaPasswords, type KafkaPasswords } from '@homeline/testing';
import { formatSignerKey, parseSignerKey } from '@homeline/tlog';

/** What integrations need to call the dev stack (docs/architecture.md section 6). */
export interface DevCredentials {
  readonly integrationToken: string;
  readonly complianceToken: string;
  /** The carrier's account desk's (identity's RECOVERY_TOKEN): it takes a household's approver phones off, and closes accounts. */
  readonly recoveryToken: string;
  readonly carrierWebhookSecret: string;
}

/**
 * Generated once, at random, into the git-ignored data directory; reused on every later start. A
 * file made by an older version gets what it lacks added, the rest kept as is.
 */
export async function loadOrCreateCredentials(file: string): Promise<DevCredentials> {
  const kept: Partial<DevCredentials> = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
  const credentials: DevCredentials = {
    integrationToken: kept.integrationToken ?? secret(),
    complianceToken: kept.complianceToken ?? secret(),
    recoveryToken: kept.recoveryToken ?? secret(),
    carrierWebhookSecret: kept.carrierWebhookSecret ?? secret(),
  };
  if (Object.keys(credentials).some((key) => !(key in kept))) await writeSecretFile(file, credentials);
  return credentials;
}

/** Secrets only the servers hold; kept because the data under .data/ depends on them. */
export interface ServerSecrets {
  /** The embedded PostgreSQL password, fixed when its data directory is initialised. */
  readonly postgresPassword: string;
  /** identity's voiceprint encryption key (32 bytes, base64): lose it and the voiceprints are gone. */
  readonly voiceprintKey: string;
  /** The audit's checkpoint signing key (Ed25519, signed-note signer format): lose it and new checkpoints need a new pinned key. */
  readonly auditSigningKey: string;
  /** The audit's key-encryption key (32 bytes, base64): lose it and every sealed value reads "[erased]". */
  readonly auditKek: string;
  /** routing signs its requests to the carrier (the simulator) with it (docs/carrier-api.md). */
  readonly carrierApiSecret: string;
}

/** The audit log's origin in the dev stack, and so its signing key's name (docs/architecture.md section 7). */
export const DEV_AUDIT_ORIGIN = 'homeline.localhost/audit';

/** Created on first start; a file missing some (made by an older version) gets them added, the rest kept as is. */
export async function loadOrCreateServerSecrets(file: string): Promise<ServerSecrets> {
  const kept: Partial<ServerSecrets> = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
  // A data directory from before the audit's keys or the carrier simulator gets those added; the others are kept.
  const secrets: ServerSecrets = {
    postgresPassword: kept.postgresPassword ?? secret(),
    voiceprintKey: kept.voiceprintKey ?? randomBytes(32).toString('base64'),
    auditSigningKey: kept.auditSigningKey ?? formatSignerKey(DEV_AUDIT_ORIGIN, randomBytes(32)),
    auditKek: kept.auditKek ?? randomBytes(32).toString('base64'),
    carrierApiSecret: kept.carrierApiSecret ?? secret(),
  };
  if (Object.keys(secrets).some((key) => !(key in kept))) await writeSecretFile(file, secrets);
  return secrets;
}

/** The verifier key a compliance team pins (`<name>+<hex id>+<base64 key>`), derived from the signing key. */
export const auditVerifierKey = (secrets: ServerSecrets): string => parseSignerKey(secrets.auditSigningKey).verifier.text;

/** Written on every start, so the file always matches the key the running audit signs with. */
export async function writeAuditVerifierKey(file: string, secrets: ServerSecrets): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${auditVerifierKey(secrets)}\n`);
}

/**
 * The SCRAM passwords of the embedded broker's users (one per KafkaUser in deploy/k8s, and the
 * admin): generated on first start, kept, and completed when the manifests gain a user.
 */
export async function loadOrCreateKafkaPasswords(file: string): Promise<KafkaPasswords> {
  const kept: KafkaPasswords = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
  const passwords = { ...generateKafkaPasswords(), ...kept };
  if (Object.keys(passwords).length !== Object.keys(kept).length) await writeSecretFile(file, passwords);
  return passwords;
}

const secret = (): string => randomBytes(24).toString('base64url');

async function writeSecretFile(file: string, content: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}
