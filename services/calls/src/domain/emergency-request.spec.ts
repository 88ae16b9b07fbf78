import { simulatedDevice } from '@homeline/device-sim';
import { recogniseEmergencyRequest, type EmergencyRequest } from './emergency-request';

const device = simulatedDevice('kitchen-speaker', 'calls-emergency');
const now = '2026-11-27T10:00:00.000Z';
const known = { deviceId: device.deviceId, accountId: 'acc-1', country: 'US', publicKey: device.publicKey };
const assertion = (target: string, issuedAt = now) =>
  device.assert({ purpose: 'place-call', subject: target, issuedAt, liveness: 0.2, embedding: [0.1, 0.2, 0.3] });
const request = (overrides: Partial<EmergencyRequest> = {}): EmergencyRequest => ({
  device: known, target: '911', voice: assertion('911'), now, maxAgeSeconds: 30, futureSkewSeconds: 5, ...overrides,
});

describe('recognising an emergency call without identity', () => {
  it('takes a fresh 911 request signed by a linked US device, whatever the voice', () =>
    expect(recogniseEmergencyRequest(request())).toEqual({ accountId: 'acc-1' }));

  it("uses the account's country: 112 is not an emergency number in the US, 999 is in the UK", () => {
    expect(recogniseEmergencyRequest(request({ target: '999', voice: assertion('999') }))).toBeNull();
    expect(recogniseEmergencyRequest(request({ device: { ...known, country: 'GB' }, target: '999', voice: assertion('999') }))).toEqual({ accountId: 'acc-1' });
  });

  it('takes the emergency number however it was asked for: "nine one one", fullwidth digits', () => {
    expect(recogniseEmergencyRequest(request({ target: 'nine one one', voice: assertion('nine one one') }))).toEqual({ accountId: 'acc-1' });
    expect(recogniseEmergencyRequest(request({ target: '９１１', voice: assertion('９１１') }))).toEqual({ accountId: 'acc-1' });
  });

  it('waits for identity for an ordinary number', () =>
    expect(recogniseEmergencyRequest(request({ target: '+15550100001', voice: assertion('+15550100001') }))).toBeNull());

  it('waits for identity when the device is not known to be linked', () =>
    expect(recogniseEmergencyRequest(request({ device: null }))).toBeNull());

  it('refuses a signature by another key', () => {
    const other = simulatedDevice(device.deviceId, 'someone-else');
    const forged = other.assert({ purpose: 'place-call', subject: '911', issuedAt: now, liveness: 0.9, embedding: [0.1] });
    expect(recogniseEmergencyRequest(request({ voice: forged }))).toBeNull();
  });

  it('refuses an assertion made for another target or purpose', () => {
    expect(recogniseEmergencyRequest(request({ voice: assertion('Mom') }))).toBeNull();
    const answer = device.assert({ purpose: 'answer-call', subject: '911', issuedAt: now, liveness: 0.9, embedding: [0.1] });
    expect(recogniseEmergencyRequest(request({ voice: answer }))).toBeNull();
  });

  it('refuses a stale assertion, and one from the future', () => {
    expect(recogniseEmergencyRequest(request({ voice: assertion('911', '2026-11-27T09:59:00.000Z') }))).toBeNull();
    expect(recogniseEmergencyRequest(request({ voice: assertion('911', '2026-11-27T10:00:10.000Z') }))).toBeNull();
  });
});
