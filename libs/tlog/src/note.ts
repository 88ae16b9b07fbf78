import { createHash, createPrivateKey, createPublicKey, sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed notes with Ed25519 signatures (signature type 0x01), and the key formats of
 * golang.org/x/mod/sumdb/note that the transparency-log ecosystem reads:
 *   verifier key  <name>+<hex key id>+<base64(0x01 || 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>
 * key id = first 4 bytes of SHA-256(name || "\n" || 0x01 || public key).
 */
const ED25519 = 0x01;
const MAX_SIGNATURES = 100;
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class NoteError extends Error {
  override readonly name = 'NoteError';
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
  /** The verifier key in its text form, as pinned in a file. */
  readonly text: string;
  verify(message: Buffer, signature: Buffer): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: Buffer;
  readonly verifier: NoteVerifier;
  sign(message: Buffer): Buffer;
}

const validName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name) && !/[\u0000-\u001f]/.test(name);

export const noteKeyId = (name: string, publicKey: Buffer): Buffer =>
  createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519])).update(publicKey).digest().subarray(0, 4);

const strictBase64 = (text: string, what: string): Buffer => {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new NoteError(`${what} is not canonical base64`);
  return bytes;
};

const verifierOf = (name: string, publicKey: Buffer): NoteVerifier => {
  if (!validName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}: non-empty, no spaces, no "+"`);
  if (publicKey.length !== 32) throw new NoteError('an Ed25519 public key is 32 bytes');
  const key: KeyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  const keyId = noteKeyId(name, publicKey);
  const text = `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}`;
  return { name, keyId, publicKey, text, verify: (message, signature) => signature.length === 64 && ed25519Verify(null, message, key, signature) };
};

/** Parses a pinned verifier key; refuses any mangling (wrong id, algorithm, length, name). */
export const parseVerifierKey = (text: string): NoteVerifier => {
  // base64 may itself contain "+": the key is everything after the second one.
  const [name, id, ...rest] = text.trim().split('+');
  const encoded = rest.join('+');
  if (id === undefined || rest.length === 0) throw new NoteError('a verifier key is <name>+<hex key id>+<base64 key>');
  if (!/^[0-9a-f]{8}$/.test(id)) throw new NoteError('the key id of a verifier key is 8 lowercase hex digits');
  const key = strictBase64(encoded, 'verifier key');
  if (key.length !== 33 || key[0] !== ED25519) throw new NoteError('only Ed25519 verifier keys (0x01 || 32 bytes) are supported');
  const verifier = verifierOf(name, key.subarray(1));
  if (verifier.keyId.toString('hex') !== id) throw new NoteError('the key id does not match the key name and public key');
  return verifier;
};

export const signerFromSeed = (name: string, seed: Buffer): NoteSigner => {
  if (seed.length !== 32) throw new NoteError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const verifier = verifierOf(name, Buffer.from(publicKey));
  return { name, keyId: verifier.keyId, verifier, sign: (message) => ed25519Sign(null, message, privateKey) };
};

/** Parses `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`. */
export const parseSignerKey = (text: string): NoteSigner => {
  const [private_, key_, name, id, ...rest] = text.trim().split('+');
  const encoded = rest.join('+');
  if (private_ !== 'PRIVATE' || key_ !== 'KEY' || rest.length === 0) throw new NoteError('a signer key is PRIVATE+KEY+<name>+<hex key id>+<base64 key>');
  const key = strictBase64(encoded, 'signer key');
  if (key.length !== 33 || key[0] !== ED25519) throw new NoteError('only Ed25519 signer keys (0x01 || 32-byte seed) are supported');
  const signer = signerFromSeed(name, key.subarray(1));
  if (signer.keyId.toString('hex') !== id) throw new NoteError('the key id does not match the key name and public key');
  return signer;
};

export const formatSignerKey = (name: string, seed: Buffer): string => {
  const signer = signerFromSeed(name, seed);
  return `PRIVATE+KEY+${name}+${signer.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`;
};

/** Signs note text (which must end in a newline): the text, a blank line, the signature line. */
export const signNote = (text: string, signer: NoteSigner): string => {
  checkText(text);
  const signature = Buffer.concat([signer.keyId, signer.sign(Buffer.from(text, 'utf8'))]);
  return `${text}\n\u2014 ${signer.name} ${signature.toString('base64')}\n`;
};

/**
 * Opens a signed note with the one key the caller pins: returns the text when a signature by that
 * key verifies. Signatures by other keys are ignored, as the spec requires; a signature that names
 * the pinned key but does not verify rejects the whole note.
 */
export const openNote = (note: string, verifier: NoteVerifier): string => {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new NoteError('malformed note: control characters');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('malformed note: too many signatures');
  let verified = false;
  for (const line of lines) {
    const match = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!match || !validName(match[1])) throw new NoteError('malformed note: bad signature line');
    const signature = strictBase64(match[2], 'signature');
    if (signature.length < 5) throw new NoteError('malformed note: signature too short');
    if (match[1] !== verifier.name || !signature.subarray(0, 4).equals(verifier.keyId)) continue;
    if (!verifier.verify(Buffer.from(text, 'utf8'), signature.subarray(4))) throw new NoteError(`invalid signature for key ${verifier.name}+${verifier.keyId.toString('hex')}`);
    verified = true;
  }
  if (!verified) throw new NoteError(`no signature by the pinned key ${verifier.name}+${verifier.keyId.toString('hex')}`);
  return text;
};

const checkText = (text: string): void => {
  if (!text.endsWith('\n') || text.includes('\n\n') || text.length === 0) throw new NoteError('note text must be non-empty lines, each ending in a newline');
};
