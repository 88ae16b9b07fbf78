import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { approverPhone, simulatedDevice, simulatedSpeaker } from '@homeline/device-sim';
import { createHousehold, spokenRequest, uniqueMsisdn, type Household } from '../src/household';
import { startSystem, type RunningSystem } from '../src/running-system';
import type { Endpoints } from '../src/homeline-client';
import {
  caseSeed, exampleOf, mutate, oddPathValues, oddQuery, pick, rawBodies, seededRandom, type JsonSchema, type QueryParameter, type Random,
} from './support/fuzz-inputs';

/**
 * Every route of every service, fuzzed: malformed and oversized bodies, odd Unicode, wrong types,
 * prototype keys, hostile path and query parameters. A client's mistake is a 4xx problem document,
 * never a 5xx, and the system still works afterwards. Routes come from each service's OpenAPI
 * document, so a route added later is fuzzed too.
 *
 * Reproducible: FUZZ_SEED picks the cases (the seed is printed with every failure), FUZZ_CASES how
 * many per route.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261127);
const casesPerRoute = Number(process.env.FUZZ_CASES ?? 120);

type Service = keyof Endpoints;

interface Route {
  readonly service: Service;
  readonly method: string;
  readonly path: string;
  readonly bodySchema?: JsonSchema;
  readonly query: readonly QueryParameter[];
  /** Signed by the carrier (X-Carrier-Signature) rather than a bearer token. */
  readonly signed: boolean;
  /** The success statuses its OpenAPI document lists (none for the platform's own routes). */
  readonly documented?: readonly number[];
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

interface Case {
  readonly route: Route;
  readonly index: number;
  readonly url: string;
  readonly body?: Buffer;
  readonly headers: Record<string, string>;
  /** What the carrier signs: the body as the service reads it (gzip undone). */
  readonly signedText?: string;
}

describe('every route of every service, fuzzed', () => {
  let system: RunningSystem;
  let home: Household;
  let callId: string;
  // What the fuzzer may change or remove without the household losing its own speaker and owner.
  let fuzzMemberId: string;
  const fuzzDevice = simulatedDevice('fuzzed-speaker');
  // A home guarded by its owner's phone, a speaker held there for approval, and a call ringing at
  // `home`: the real ids the approval and answer routes start from (docs/architecture.md 6.1, 6.2).
  let guarded: Household;
  let approvalId: string;
  let inboundCallId: string;
  const ownerPhone = approverPhone('fuzzed-owner-phone');

  beforeAll(async () => {
    system = await startSystem({
      env: {
        // The inbound call keeps ringing for the whole run, so answers reach identity rather than `call_ended`.
        calls: { CALL_RING_TIMEOUT_MS: '900000' },
        // The fuzzer's valid calls stay connected: within the default limits they would fill the line,
        // and the closing call would be refused `rate_limited` (limits working, but not what that checks).
        routing: { RATE_LIMIT_DEVICE_PER_MINUTE: '100000', RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000', MAX_CONCURRENT_CALLS_PER_LINE: '100000' },
      },
    });
    home = await createHousehold(system.client);
    ({ callId } = await system.client.placeCall(spokenRequest(home, home.members.Alex.voice, 'Mom')));
    ({ memberId: fuzzMemberId } = await system.client.addMember(home.accountId, { name: 'Fuzz', role: 'adult' }));
    await system.client.linkDevice(home.accountId, { deviceId: fuzzDevice.deviceId, name: 'Fuzzed speaker', publicKey: fuzzDevice.publicKey });
    guarded = await createHousehold(system.client);
    await system.client.registerApprover(guarded.accountId, guarded.members.Alex.memberId, { approverId: ownerPhone.approverId, publicKey: ownerPhone.publicKey });
    const held = simulatedDevice('fuzzed-held-speaker');
    ({ approvalId } = (await system.client.linkDevice(guarded.accountId, { deviceId: held.deviceId, name: 'Held speaker', publicKey: held.publicKey })) as { approvalId: string });
    const { routing } = await system.carrier.offerInbound({ from: '+15550100123', to: home.msisdn });
    ({ callId: inboundCallId } = routing.body as { callId: string });
  }, 180_000);

  afterAll(() => system?.stop());

  /** The routes each service documents, plus the platform's own (health, metrics). */
  const routes = async (): Promise<Route[]> => {
    const found: Route[] = [];
    for (const service of Object.keys(system.endpoints).sort() as Service[]) {
      const document = (await (await fetch(`${system.endpoints[service]}/docs-json`)).json()) as OpenApi;
      for (const [path, operations] of Object.entries(document.paths).sort()) {
        for (const [method, operation] of Object.entries(operations)) {
          const parameters = operation.parameters ?? [];
          found.push({
            service, method: method.toUpperCase(), path,
            bodySchema: operation.requestBody?.content?.['application/json']?.schema,
            query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
            signed: parameters.some((p) => p.in === 'header' && p.name === 'x-carrier-signature'),
            documented: Object.keys(operation.responses ?? {}).map(Number).filter((status) => status >= 200 && status < 300),
          });
        }
      }
      for (const path of ['/health/live', '/health/ready', '/metrics']) found.push({ service, method: 'GET', path, query: [], signed: false });
    }
    return found;
  };

  /** The ids a route's path takes when the case uses real ones: the approval routes' are the guarded home's. */
  const realValue = (route: Route, name: string): string => {
    const guardedRoute = /\/(approvals|approvers)\b/.test(route.path);
    const real: Record<string, string> = guardedRoute
      ? { accountId: guarded.accountId, memberId: guarded.members.Alex.memberId, approvalId }
      : { accountId: home.accountId, memberId: fuzzMemberId, deviceId: fuzzDevice.deviceId, callId: route.path.endsWith('/answer') ? inboundCallId : callId };
    return real[name] ?? randomUUID();
  };

  /**
   * The seed corpus: what a real client sends (docs/architecture.md section 6), so that mutations
   * reach the rules behind the schema. A route without a seed starts from its schema's example.
   */
  const seedBody = (route: Route, random: Random): unknown => {
    const speaker = simulatedSpeaker(`fuzz-${Math.floor(random() * 1e9)}`);
    const seeds: Record<string, () => unknown> = {
      'POST /v1/accounts': () => ({ msisdn: uniqueMsisdn(), displayName: 'Fuzzed home', timezone: 'Europe/Paris', address: { line1: '1 Rue', city: 'Paris', region: 'IDF', postalCode: '75001', country: 'FR' } }),
      'POST /v1/accounts/{accountId}/members': () => ({ name: 'Pat', role: pick(random, ['owner', 'adult', 'child', 'guest']) }),
      'PATCH /v1/accounts/{accountId}/members/{memberId}': () => ({ role: pick(random, ['adult', 'child']), grant: ['premium'], revoke: ['domestic'] }),
      'POST /v1/accounts/{accountId}/members/{memberId}/voiceprints': () => ({ embedding: speaker.voiceprint }),
      'POST /v1/accounts/{accountId}/devices': () => {
        const device = simulatedDevice(`fuzz-${Math.floor(random() * 1e9)}`);
        return { deviceId: device.deviceId, name: 'Hall', publicKey: device.publicKey, location: { room: 'hall', floor: '1' } };
      },
      'POST /v1/accounts/{accountId}/contacts': () => ({ name: 'Aunt', aliases: ['Auntie'], number: '+1 555 010 0009', memberId: fuzzMemberId }),
      'POST /v1/calls': () => spokenRequest(home, home.members.Sam.voice, pick(random, ['Mom', '911', '+1 555 010 4242', 'Pizza Place'])),
      'POST /v1/calls/{callId}/answer': () => ({
        deviceId: home.device.deviceId,
        voice: home.device.assert({ purpose: 'answer-call', subject: inboundCallId, embedding: pick(random, [home.members.Alex.voice, speaker]).utter() }),
      }),
      'PUT /v1/accounts/{accountId}/away-mode': () =>
        pick(random, [{ enabled: true, until: new Date(Date.now() + 3_600_000).toISOString() }, { enabled: true }, { enabled: false }]),
      'PUT /v1/accounts/{accountId}/quiet-hours': () => ({ windows: [{ days: ['mon', 'sat'], start: '22:00', end: '07:00' }, { start: '12:30', end: '13:00' }] }),
      'POST /v1/accounts/{accountId}/members/{memberId}/approvers': () => {
        const phone = approverPhone(`fuzz-${Math.floor(random() * 1e9)}`);
        return { approverId: phone.approverId, publicKey: phone.publicKey };
      },
      'POST /v1/accounts/{accountId}/approvals/{approvalId}': () => ownerPhone.sign(approvalId, pick(random, ['approve', 'deny'] as const)),
      'POST /v1/carrier/inbound': () => ({ carrierCallId: randomUUID(), from: pick(random, ['+15550100123', '+1 555 010 0003', '911']), to: home.msisdn, sensitive: random() < 0.5 }),
      'POST /v1/carrier/status': () => ({ carrierCallId: randomUUID(), legId: randomUUID(), status: 'answered', sequence: 1, occurredAt: new Date().toISOString() }),
    };
    return seeds[`${route.method} ${route.path}`]?.() ?? exampleOf(route.bodySchema, random);
  };

  const buildCase = (route: Route, index: number): Case => {
    const random = seededRandom(caseSeed(seed, `${route.method} ${route.path}`, index));
    const path = route.path.replace(/\{(\w+)\}/g, (_all, name: string) => (index === 0 || random() < 0.4 ? encodeURIComponent(realValue(route, name)) : oddPathValues(random)));
    const query = index > 0 && random() < (route.query.length > 0 ? 0.8 : 0.35) ? `?${oddQuery(random, route.query)}` : '';
    const token = route.service === 'audit' ? system.credentials.complianceToken : system.credentials.integrationToken;
    const headers: Record<string, string> = route.signed ? {} : { authorization: `Bearer ${token}` };
    if (index > 0 && random() < 0.15) {
      const incompressible = Array.from({ length: 600 }, () => Math.floor(random() * 2 ** 32).toString(36)).join('');
      headers['idempotency-key'] = pick(random, ['k'.repeat(8_000), incompressible, 'ÿþ\u00a0key', ' ', randomUUID()]);
    }
    const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method) || (index > 0 && random() < 0.1);
    if (!withBody) return { route, index, url: `${system.endpoints[route.service]}${path}${query}`, headers };
    const valid = seedBody(route, random);
    const url = `${system.endpoints[route.service]}${path}${query}`;
    if (index > 0 && random() < 0.3) {
      const raw = pick(random, rawBodies(JSON.stringify(valid)));
      const signedText = raw.headers['content-encoding'] === 'gzip' && raw.name === 'gzip' ? JSON.stringify(valid) : raw.body.toString('utf8');
      return { route, index, url, body: raw.body, headers: { ...headers, ...raw.headers }, signedText };
    }
    const text = JSON.stringify(index === 0 ? valid : mutate(valid, random)) ?? 'null';
    return { route, index, url, body: Buffer.from(text), headers: { ...headers, 'content-type': 'application/json' }, signedText: text };
  };

  const send = (fuzzCase: Case): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers = { ...fuzzCase.headers };
      if (fuzzCase.route.signed) {
        const t = Math.floor(Date.now() / 1000);
        const signature = createHmac('sha256', system.credentials.carrierWebhookSecret).update(`${t}.${fuzzCase.signedText ?? ''}`).digest('hex');
        headers['x-carrier-signature'] = `t=${t},v1=${signature}`;
      }
      if (fuzzCase.body) headers['content-length'] = String(fuzzCase.body.length);
      const req = request(fuzzCase.url, { method: fuzzCase.route.method, headers, timeout: 30_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', reject);
      req.end(fuzzCase.body);
    });

  it('answers no request a client can make with a 5xx, every 4xx is a problem document, and the system works afterwards', async () => {
    const failures: string[] = [];
    const seen = new Map<string, Set<number>>();
    for (const route of await routes()) {
      const name = `${route.service} ${route.method} ${route.path}`;
      seen.set(name, new Set());
      for (let index = 0; index < casesPerRoute; index++) {
        const fuzzCase = buildCase(route, index);
        const answer = await send(fuzzCase).catch((error: Error) => ({ status: 0, contentType: '', body: error.message }));
        seen.get(name)!.add(answer.status);
        const problem = answer.status >= 400 && answer.status < 500 ? /^application\/problem\+json/.test(answer.contentType) : true;
        // A client generated from /docs-json must expect every success the route answers.
        const undocumented = answer.status >= 200 && answer.status < 300 && route.documented !== undefined && !route.documented.includes(answer.status);
        if (answer.status === 0 || answer.status >= 500 || !problem || undocumented) {
          const sent = fuzzCase.body ? ` body ${JSON.stringify(fuzzCase.body.toString('utf8').slice(0, 300))}` : '';
          failures.push(`FUZZ_SEED=${seed} case ${index} of ${name}: ${fuzzCase.route.method} ${fuzzCase.url.slice(0, 300)}${sent} -> ${answer.status} ${answer.body.slice(0, 300)}`);
        }
      }
    }
    if (process.env.FUZZ_REPORT) console.log([...seen].map(([name, statuses]) => `${name}: ${[...statuses].sort().join(' ')}`).join('\n'));
    expect(failures).toEqual([]);

    for (const service of Object.keys(system.endpoints) as Service[]) {
      expect({ service, ready: (await fetch(`${system.endpoints[service]}/health/ready`)).status }).toEqual({ service, ready: 200 });
    }
    const fresh = await createHousehold(system.client);
    for (const household of [home, fresh]) {
      const { callId: after } = await system.client.placeCall(spokenRequest(household, household.members.Alex.voice, 'Mom'));
      expect(await system.client.waitForCall(after, ['connected', 'ended', 'rejected', 'failed'])).toMatchObject({ status: 'connected' });
    }
    // Some 4,700 requests, many of which do real work: minutes on a busy machine.
  }, 900_000);
});

interface OpenApi {
  readonly paths: Record<string, Record<string, {
    parameters?: { in: string; name: string; schema?: JsonSchema }[];
    requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
    responses?: Record<string, unknown>;
  }>>;
}
