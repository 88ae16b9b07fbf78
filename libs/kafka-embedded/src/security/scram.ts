import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the broker keeps of a SCRAM-SHA-512 user: never the password (RFC 5802 section 3). */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export const SCRAM_MECHANISM = 'SCRAM-SHA-512';
const ITERATIONS = 4096; // Kafka's default and minimum for SCRAM-SHA-512

const hmac = (key: Buffer, data: string | Buffer) => createHmac('sha512', key).update(data).digest();
const sha512 = (data: Buffer) => createHash('sha512').update(data).digest();

/** As Kafka and kafkajs derive it: from the password's UTF-8 as it is (no SASLprep, no Unicode normalisation). */
export function scramCredential(password: string, salt = randomBytes(32), iterations = ITERATIONS): ScramCredential {
  const salted = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return { salt, iterations, storedKey: sha512(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

export class ScramError extends Error {}

/** `a=1,b=2` -> Map; SCRAM attributes are single letters. */
function attributes(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new ScramError(`malformed SCRAM attribute '${part.slice(0, 20)}'`);
    map.set(part[0], part.slice(2));
  }
  return map;
}

// RFC 5802 section 5.1: ',' and '=' in a user name travel as =2C and =3D.
const decodeName = (saslName: string): string => {
  if (/=(?!2C|3D)/.test(saslName)) throw new ScramError('malformed user name');
  return saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
};

/**
 * The server side of one SCRAM-SHA-512 exchange: client-first -> server-first, client-final ->
 * server-final. Any mismatch throws a ScramError; the caller answers SASL_AUTHENTICATION_FAILED.
 */
export class ScramExchange {
  private state: 'first' | 'final' | 'done' | 'failed' = 'first';
  private user = '';
  private credential: ScramCredential | undefined;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(private readonly lookup: (user: string) => ScramCredential | undefined) {}

  /** The authenticated user, once the exchange has completed. */
  get principal(): string | null {
    return this.state === 'done' ? this.user : null;
  }

  respond(message: string): string {
    if (this.state === 'first') return this.first(message);
    if (this.state === 'final') return this.final(message);
    throw new ScramError(this.state === 'failed' ? 'the SCRAM exchange failed' : 'the SCRAM exchange is already complete');
  }

  private first(message: string): string {
    // gs2-header: "n,," or "n,a=authzid,"; channel binding is not offered over plain TCP.
    const m = /^(n|y),(a=[^,]*)?,(.*)$/s.exec(message);
    if (!m) throw new ScramError('client-first message must start with a gs2 header without channel binding');
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3];
    const attrs = attributes(this.clientFirstBare);
    const name = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (!name || !clientNonce || attrs.has('m')) throw new ScramError('client-first message needs n= and r=');
    this.user = decodeName(name);
    if (m[2] && decodeName(m[2].slice(2)) !== this.user) throw new ScramError('authorization id differs from the user');
    this.credential = this.lookup(this.user);
    // An unknown user still gets a well-formed challenge, and fails at the proof. Its salt is made up
    // without PBKDF2, which would cost the broker ~5 ms of blocking CPU per attempt before authentication.
    const credential = this.credential ?? { salt: randomBytes(32), iterations: ITERATIONS };
    this.nonce = clientNonce + randomBytes(24).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.state = 'final';
    return this.serverFirst;
  }

  private final(message: string): string {
    // One proof per exchange, right or wrong: its nonce is spent either way (no guessing on it again).
    this.state = 'failed';
    const withoutProof = message.slice(0, message.lastIndexOf(',p='));
    const attrs = attributes(message);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) throw new ScramError('channel binding does not match');
    // RFC 5802: exactly the nonce the server issued. Kafka 4 compares it strictly too, so
    // librdkafka before 2.6.1, which repeats its own nonce in front (librdkafka#4895), fails on both.
    if (attrs.get('r') !== this.nonce) throw new ScramError('nonce does not match');
    const proof = Buffer.from(attrs.get('p') ?? '', 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const credential = this.credential;
    if (!credential || proof.length !== 64) throw new ScramError('invalid credentials');
    const signature = hmac(credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) clientKey[i] = proof[i] ^ signature[i];
    if (!timingSafeEqual(sha512(clientKey), credential.storedKey)) throw new ScramError('invalid credentials');
    this.state = 'done';
    return `v=${hmac(credential.serverKey, authMessage).toString('base64')}`;
  }
}
