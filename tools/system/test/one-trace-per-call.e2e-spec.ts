import { randomBytes } from 'node:crypto';
import { eventually } from '@homeline/testing';
import { createHousehold, spokenRequest, type Household } from '../src/household';
import { startSystem, type RunningSystem } from '../src/running-system';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';

/**
 * docs/architecture.md section 8: one trace id from `POST /v1/calls` to `CallConnected`, across
 * all four services (calls -> identity -> calls -> routing -> carrier webhook -> routing -> calls,
 * audit recording each event), exported over OTLP/HTTP by the four service processes to a
 * collector, here one in the test process.
 */
const services = ['identity', 'calls', 'routing', 'audit'] as const;
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

describe('a call, traced', () => {
  let receiver: OtlpReceiver;
  let system: RunningSystem;
  let home: Household;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const otel = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    system = await startSystem({ env: Object.fromEntries(services.map((s) => [s, otel])) });
    home = await createHousehold(system.client);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await receiver?.stop();
  });

  const traceOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
  const named = (spans: readonly ReceivedSpan[], service: string, name: string, kind: number) =>
    spans.filter((s) => s.service === service && s.name === name && s.kind === kind);

  /** Every span the call made, in one trace: the chain of docs/architecture.md section 3, hop by hop. */
  const expectOneTraceAcrossTheServices = (spans: readonly ReceivedSpan[], callerSpanId: string) => {
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(services));
    const [request] = named(spans, 'calls', 'POST /v1/calls', SERVER);
    expect(request?.parentSpanId).toBe(callerSpanId);
    // The relay publishes under the request's trace; each consumer continues the publisher's span.
    const published = spans.filter((s) => s.kind === PRODUCER);
    for (const consumed of spans.filter((s) => s.kind === CONSUMER)) {
      expect(published.map((p) => p.spanId)).toContain(consumed.parentSpanId);
    }
    expect(named(spans, 'identity', 'process homeline.calls.v1', CONSUMER)).not.toHaveLength(0);
    expect(named(spans, 'calls', 'process homeline.identity.v1', CONSUMER)).not.toHaveLength(0);
    expect(named(spans, 'routing', 'process homeline.calls.v1', CONSUMER)).not.toHaveLength(0);
    expect(named(spans, 'routing', 'POST /v1/carrier/status', SERVER)).not.toHaveLength(0);
    expect(named(spans, 'calls', 'process homeline.routing.v1', CONSUMER)).not.toHaveLength(0);
    expect(spans.filter((s) => s.service === 'audit' && s.kind === CONSUMER).length).toBeGreaterThanOrEqual(5);
    // calls' five events (CallRequested ... CallConnected) were each published in this trace.
    expect(named(spans, 'calls', 'publish homeline.calls.v1', PRODUCER).length).toBeGreaterThanOrEqual(5);
    // One tree: every span's parent is in the trace, but for the first one's, the caller's.
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => !ids.has(s.parentSpanId)).map((s) => [s.service, s.name, s.parentSpanId])).toEqual([
      ['calls', 'POST /v1/calls', callerSpanId],
    ]);
  };

  it('continues the traceparent the caller sent, through every service, until the call is connected', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const { callId } = await system.client.request<{ callId: string }>(
      'calls', 'POST', '/v1/calls', spokenRequest(home, home.members.Alex.voice, 'Mom'), { traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    const call = await system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed']);
    expect(call.status).toBe('connected');
    await eventually(async () => expectOneTraceAcrossTheServices(traceOf(traceId), callerSpanId), { timeoutMs: 30_000 });
    expect(receiver.rejected).toEqual([]);
    await system.client.hangUp(callId);
  });

  it('starts one trace of its own for a call whose caller sent none', async () => {
    const { callId } = await system.client.placeCall(spokenRequest(home, home.members.Sam.voice, 'Mom'));
    expect(await system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed'])).toMatchObject({ status: 'connected' });
    const root = await eventually(async () => {
      const requests = receiver.spans.filter((s) => s.service === 'calls' && s.name === 'POST /v1/calls' && s.parentSpanId === '');
      expect(requests).toHaveLength(1);
      return requests[0];
    });
    await eventually(async () => expectOneTraceAcrossTheServices(traceOf(root.traceId), ''), { timeoutMs: 30_000 });
    await system.client.hangUp(callId);
  });
});
