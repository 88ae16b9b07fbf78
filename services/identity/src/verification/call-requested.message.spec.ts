import { simulatedDevice, simulatedSpeaker } from '@homeline/device-sim';
import { randomUUID } from 'node:crypto';
import { callsTopicMessage } from './call-requested.message';

const device = simulatedDevice('kitchen');
const envelope = (type: string, data: Record<string, unknown>) => ({
  id: randomUUID(), type, source: 'calls', streamId: 'call-c1', streamVersion: 1, occurredAt: new Date().toISOString(),
  correlationId: 'c1', causationId: null, accountId: null, data,
});
const requested = () => ({
  callId: 'c1', direction: 'outbound', deviceId: 'kitchen', target: 'Mom',
  voice: device.assert({ subject: 'Mom', embedding: simulatedSpeaker('maria').utter() }),
  requestedAt: new Date().toISOString(), deadline: new Date().toISOString(),
});

describe('a message on the calls topic', () => {
  it('is a CallRequested to verify when it matches the contract', () => {
    const message = envelope('CallRequested', requested());
    const parsed = callsTopicMessage.parse(message);
    expect(parsed).toEqual({ id: message.id, callRequested: expect.objectContaining({ type: 'CallRequested', data: expect.objectContaining({ target: 'Mom' }) }) });
  });

  it('is dead-lettered, with the reason, when a CallRequested breaks the contract', () => {
    const result = callsTopicMessage.safeParse(envelope('CallRequested', { ...requested(), voice: { ...requested().voice, liveness: 7 } }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/voice\.liveness/);
  });

  it('is ignored, without validating its data, when it is another event', () => {
    const message = envelope('CallRinging', { anything: true });
    expect(callsTopicMessage.parse(message)).toEqual({ id: message.id, callRequested: null });
  });

  it('is dead-lettered when it is not an envelope at all', () => {
    expect(callsTopicMessage.safeParse({ hello: 'world' }).success).toBe(false);
  });
});
