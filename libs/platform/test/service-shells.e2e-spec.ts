import { freePort, startTestKafka, startTestPostgres, TestKafka, TestPostgres } from '@homeline/testing';
import { formatSignerKey } from '@homeline/tlog';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');

/**
 * The shell every service keeps: started as `npm start` starts it (its main.ts in a process of
 * its own), it validates its environment, is ready once its database and Kafka answer, serves
 * metrics and docs, and stops on SIGTERM.
 */
const services = [
  { name: 'identity', env: { VOICEPRINT_KEY: randomBytes(32).toString('base64') } },
  { name: 'calls', env: {} },
  // Ready without reaching the carrier: routing calls its API only when it has a leg to place.
  { name: 'routing', env: { CARRIER_WEBHOOK_SECRET: 'carrier-secret-for-tests', CARRIER_API_URL: 'http://127.0.0.1:9', CARRIER_API_SECRET: randomBytes(24).toString('base64url') } },
  {
    name: 'audit',
    env: { COMPLIANCE_TOKEN: 'compliance-token-for-tests', AUDIT_SIGNING_KEY: formatSignerKey('homeline.test/audit', randomBytes(32)), AUDIT_KEK: randomBytes(32).toString('base64') },
  },
];

let postgres: TestPostgres;
let kafka: TestKafka;

beforeAll(async () => {
  postgres = await startTestPostgres();
  kafka = await startTestKafka();
});

afterAll(async () => {
  await kafka?.stop();
  await postgres?.stop();
});

describe.each(services)('the $name service process', ({ name, env: serviceEnv }) => {
  let environment: NodeJS.ProcessEnv;

  beforeAll(async () => {
    environment = {
      PATH: process.env.PATH,
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: kafka.brokers.join(','),
      INTEGRATION_TOKEN: 'integration-token-for-tests',
      LOG_LEVEL: 'warn',
      ...serviceEnv,
    };
  });

  it('starts, is live and ready, serves metrics and its API docs, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const service = runMain(name, { ...environment, HTTP_PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    await untilAnswering(`${base}/health/ready`, service);

    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(`service="${name}"`);
    const docs = (await (await fetch(`${base}/docs-json`)).json()) as { info: { title: string } };
    expect(docs.info.title).toBe(`Homeline ${name}`);

    service.child.kill('SIGTERM');
    expect(await service.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.output.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
  });

  it('refuses to start on a bad environment, naming each bad variable', async () => {
    const service = runMain(name, { ...environment, HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    expect(await service.exit).toEqual({ code: 1, signal: null });
    expect(service.output.join('\n')).toContain('HTTP_PORT: expected a number');
    expect(service.output.join('\n')).toContain('DATABASE_URL: expected a postgres:// URL');
  });
});

interface RunningMain {
  readonly child: ReturnType<typeof spawn>;
  readonly output: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runMain(name: string, env: NodeJS.ProcessEnv): RunningMain {
  const child = spawn(process.execPath, ['-r', './tools/register.js', `services/${name}/src/main.ts`], { cwd: root, env });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output, exit };
}

async function untilAnswering(url: string, service: RunningMain): Promise<void> {
  let exited = false;
  void service.exit.then(() => (exited = true));
  while (!exited) {
    if (await fetch(url).then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the service exited before it answered 200 at ${url}:\n${service.output.join('\n')}`);
}
