import { EmbeddedBroker, startBroker } from '@homeline/kafka-embedded';
import { freePort, startTestPostgres, TestPostgres } from '@homeline/testing';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const token = 'integration-token-for-tests';

interface Answer {
  readonly status?: number;
  readonly headers?: IncomingHttpHeaders;
  readonly body?: string;
  readonly error?: string;
}

const collect = (req: ClientRequest): Promise<Answer> =>
  new Promise((done) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
  });

/**
 * The calls service as `npm start` runs it, stopped with SIGTERM while a client keeps a
 * keep-alive connection busy and another request is still being uploaded.
 */
describe('a service told to stop', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let brokerDir: string;

  beforeAll(async () => {
    postgres = await startTestPostgres();
    brokerDir = await mkdtemp(join(tmpdir(), 'homeline-drain-kafka-'));
    broker = await startBroker({ dataDir: brokerDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet });
  });

  afterAll(async () => {
    await broker?.stop();
    await postgres?.stop();
    await rm(brokerDir, { recursive: true, force: true });
  });

  it('refuses every new request at once, on kept-alive connections too, and finishes the one in flight', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', './tools/register.js', 'services/calls/src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, HTTP_PORT: String(port), DATABASE_URL: await postgres.createDatabase(), KAFKA_BROKERS: broker.address, INTEGRATION_TOKEN: token, LOG_LEVEL: 'info' },
    });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n')));
    child.stderr.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n')));
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const until = async (condition: () => boolean | Promise<boolean>) => {
      while (!(await condition())) {
        if (child.exitCode !== null) throw new Error(`the service exited:\n${output.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false));

    // Clients keep kept-alive connections busy, request after request (server.close() alone leaves
    // a connection open while a request is on it, and the next one is then served too).
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const lookUp = () => {
      const req = request({ port, host: '127.0.0.1', path: `/v1/calls/${randomUUID()}`, agent, headers: { authorization: `Bearer ${token}` } });
      const answer = collect(req);
      req.end();
      return answer;
    };
    const answers: { afterStopLogged: boolean; answer: Answer }[] = [];
    let stopLogged = false;
    let running = true;
    const clients = Array.from({ length: 8 }, async () => {
      while (running) {
        const afterStopLogged = stopLogged;
        const answer = await lookUp();
        answers.push({ afterStopLogged, answer });
        if (answer.error) await new Promise((r) => setTimeout(r, 20));
      }
    });
    await until(() => answers.length >= 40);

    // Another is still uploading its body when the signal comes; the service has its headers (100 Continue).
    const body = JSON.stringify({ deviceId: 'kitchen', target: 'Mom' });
    const slow = request({ port, host: '127.0.0.1', method: 'POST', path: '/v1/calls', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
    const slowAnswer = collect(slow);
    slow.flushHeaders();
    await new Promise<void>((r) => slow.once('continue', () => r()));
    slow.write(body.slice(0, 10));

    child.kill('SIGTERM');
    await until(() => output.some((line) => /SIGTERM/.test(line)));
    stopLogged = true;
    const refusedFrom = answers.length;
    await until(() => answers.length >= refusedFrom + 40);

    // The request in flight is still answered by a live service, which then stops.
    expect(child.exitCode).toBeNull();
    slow.end(body.slice(10));
    const finished = await slowAnswer;
    expect(finished.status).not.toBe(503);
    expect(finished.status).toBeLessThan(500);
    expect(finished.headers?.connection).toBe('close');
    running = false;
    await Promise.all(clients);
    agent.destroy();
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });

    // Before the signal the busy connection was served; after it, nothing sent was taken.
    expect(new Set(answers.slice(0, 40).map((a) => a.answer.status))).toEqual(new Set([404]));
    const afterStop = answers.filter((a) => a.afterStopLogged).map((a) => a.answer);
    expect(afterStop.length).toBeGreaterThanOrEqual(40);
    for (const answer of afterStop) {
      if (answer.error) expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']).toContain(answer.error);
      else {
        expect(answer).toMatchObject({ status: 503, headers: { connection: 'close', 'content-type': expect.stringMatching(/^application\/problem\+json/) } });
        expect(JSON.parse(answer.body!)).toMatchObject({ code: 'shutting_down', status: 503 });
      }
    }
  });
});
