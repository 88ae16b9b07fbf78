import { createCipheriv, createDecipheriv, createHash, randomBytes, randomFillSync } from 'node:crypto';
import type { DataKey } from '../../application/ports';

const IV_BYTES = 12;
const TAG_BYTES = 16;

// Fresh random IVs drawn from a pool refilled 4,096 at a time: one system call per value sealed
// was the largest cost of recording an event.
const POOL = Buffer.alloc(IV_BYTES * 4096);
let poolAt = POOL.length;
const freshIv = (): Buffer => {
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const iv = Buffer.from(POOL.subarray(poolAt, poolAt + IV_BYTES));
  poolAt += IV_BYTES;
  return iv;
};

const seal = (key: Buffer, context: string, plaintext: Buffer): Buffer => {
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
};

const open = (key: Buffer, context: string, sealed: Buffer): Buffer | undefined => {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
};

/** A data key: AES-256-GCM with a fresh 96-bit IV per value, bound to its context (entry and field). */
export class AesGcmDataKey implements DataKey {
  constructor(private readonly key: Buffer) {}

  seal(context: string, plaintext: Buffer): string {
    return seal(this.key, context, plaintext).toString('base64');
  }

  open(context: string, sealed: string): Buffer | undefined {
    return open(this.key, context, Buffer.from(sealed, 'base64'));
  }
}

/**
 * The key-encryption key from configuration (AUDIT_KEK): wraps every data key before it is stored,
 * so a copy of the database alone opens nothing. Its id (a hash of the key) is stored beside each
 * wrapped key, so a wrong KEK is noticed at start rather than as "[erased]" everywhere.
 */
export class KeyEncryptionKey {
  readonly id: string;

  constructor(private readonly kek: Buffer) {
    if (kek.length !== 32) throw new Error('the key-encryption key is 32 bytes');
    this.id = createHash('sha256').update('homeline-audit-kek-id\n').update(kek).digest('hex').slice(0, 16);
  }

  newWrappedKey(scope: string): Buffer {
    return seal(this.kek, `homeline-audit-data-key|${scope}`, randomBytes(32));
  }

  unwrap(scope: string, wrapped: Buffer): DataKey {
    const key = open(this.kek, `homeline-audit-data-key|${scope}`, wrapped);
    if (!key) throw new Error(`the data key of ${scope} does not unwrap with the configured AUDIT_KEK`);
    return new AesGcmDataKey(key);
  }
}
