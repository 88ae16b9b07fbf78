import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { scramCredential, ScramError, ScramExchange } from './scram';

// A SCRAM-SHA-512 client written from RFC 5802 section 3, independent of the server code.
function client(user: string, password: string) {
  const nonce = randomBytes(18).toString('base64');
  const first = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`;
  return {
    first: `n,,${first}`,
    final(serverFirst: string, nonceOverride?: string) {
      const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 64, 'sha512');
      const clientKey = createHmac('sha512', salted).update('Client Key').digest();
      const storedKey = createHash('sha512').update(clientKey).digest();
      const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonceOverride ?? attrs.r}`;
      const authMessage = `${first},${serverFirst},${withoutProof}`;
      const signature = createHmac('sha512', storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
      const serverKey = createHmac('sha512', salted).update('Server Key').digest();
      return { message: `${withoutProof},p=${proof.toString('base64')}`, expectedServerFinal: `v=${createHmac('sha512', serverKey).update(authMessage).digest('base64')}` };
    },
  };
}

describe('a SCRAM-SHA-512 exchange', () => {
  const users = new Map([['ada', scramCredential('correct horse')], ['o,dd=name', scramCredential('pw')]]);
  const exchange = () => new ScramExchange((u) => users.get(u));

  it('authenticates the right password and proves the server knows it too', () => {
    const server = exchange();
    const c = client('ada', 'correct horse');
    const serverFirst = server.respond(c.first);
    expect(serverFirst).toMatch(/^r=.+,s=.+,i=4096$/);
    const { message, expectedServerFinal } = c.final(serverFirst);
    expect(server.respond(message)).toBe(expectedServerFinal);
    expect(server.principal).toBe('ada');
  });

  it('decodes =2C and =3D in user names', () => {
    const server = exchange();
    const c = client('o,dd=name', 'pw');
    server.respond(c.final(server.respond(c.first)).message);
    expect(server.principal).toBe('o,dd=name');
  });

  it('refuses a wrong password, and an unknown user at the same step', () => {
    for (const [user, password] of [['ada', 'wrong'], ['nobody', 'whatever']]) {
      const server = exchange();
      const c = client(user, password);
      const serverFirst = server.respond(c.first);
      expect(() => server.respond(c.final(serverFirst).message)).toThrow(ScramError);
      expect(server.principal).toBeNull();
    }
  });

  it('refuses librdkafka\'s (before 2.6.1) final nonce, its own nonce again before the combined one, as Kafka 4 does', () => {
    const server = exchange();
    const c = client('ada', 'correct horse');
    const serverFirst = server.respond(c.first);
    const cnonce = c.first.split('r=')[1];
    const combined = serverFirst.split(',')[0].slice(2);
    const { message } = c.final(serverFirst, cnonce + combined);
    expect(() => server.respond(message)).toThrow(/nonce/);
    expect(server.principal).toBeNull();
  });

  it('takes one proof per exchange: a right one after a wrong one is refused', () => {
    const server = exchange();
    const c = client('ada', 'correct horse');
    const serverFirst = server.respond(c.first);
    const wrong = client('ada', 'wrong').final(serverFirst).message; // the server's nonce, a wrong proof
    expect(() => server.respond(wrong)).toThrow(ScramError);
    expect(() => server.respond(c.final(serverFirst).message)).toThrow(ScramError);
    expect(server.principal).toBeNull();
  });

  it('derives the key from the password as sent, as Kafka and kafkajs do: no Unicode normalisation', () => {
    const ligature = 'ﬁle cabinet'; // NFKC would make it "file cabinet"
    const server = new ScramExchange((u) => (u === 'clerk' ? scramCredential(ligature) : undefined));
    const c = client('clerk', ligature);
    const serverFirst = server.respond(c.first);
    server.respond(c.final(serverFirst).message);
    expect(server.principal).toBe('clerk');
  });

  it('refuses a final message that does not carry the server nonce', () => {
    const server = exchange();
    const c = client('ada', 'correct horse');
    const serverFirst = server.respond(c.first);
    const forged = c.final(serverFirst, 'forged').message;
    expect(() => server.respond(forged)).toThrow(/nonce/);
  });
});
