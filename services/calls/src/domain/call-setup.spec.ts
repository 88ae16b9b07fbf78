import type { EventData, EventType, IntegrationEvent } from '@homeline/contracts';
import { foldCall, initialCallState } from './call';
import type { CallEvent } from './call.events';
import { decideCall, evolveCall, type AnyCallState } from './call-decider';
import { at, callId, requested, ringing, routed, routing } from './call.fixtures';
import { commandsFor } from './call-setup';
import { deadlineOf, reasonOf, statusOf } from './call.view';

const envelope = <T extends EventType>(type: T, data: EventData<T>): IntegrationEvent =>
  ({
    id: '6f1c2a7e-1d5b-4a43-9c39-0d2f8f3c9a11',
    type,
    source: 'routing',
    streamId: callId,
    streamVersion: 1,
    occurredAt: at(1),
    correlationId: callId,
    causationId: null,
    accountId: 'acc-1',
    data,
  }) as IntegrationEvent;

const verified = envelope('SpeakerVerified', {
  callId,
  accountId: 'acc-1',
  deviceId: 'kitchen',
  memberId: 'alice',
  score: 0.93,
  threshold: 0.75,
  margin: 0.8,
  liveness: 0.97,
  assurance: 'high',
  decision: 'accept',
});
const leg = { callId, legId: 'leg-1', carrierCallId: 'carrier-1' };
const answer = { ...leg, answeredAt: at(4) };

/** Runs the process manager the way the application will: event -> commands -> decide -> evolve. */
const deliver = (events: readonly IntegrationEvent[], history: readonly CallEvent[] = [requested], clock = at(1)) =>
  events.reduce((state, event) => {
    const produced = commandsFor(event, state, clock).flatMap((command) => decideCall(command, state));
    return produced.reduce(evolveCall, state);
  }, history.reduce(evolveCall, initialCallState as AnyCallState));

describe('the call-setup process manager', () => {
  it('records a verified speaker and hands the call to routing, with a routing deadline', () => {
    const state = deliver([verified]);
    expect(statusOf(state)).toBe('routing');
    expect(deadlineOf(state)).toBe(at(6));
  });

  it('carries a call from request to connected on the happy path', () => {
    const state = deliver([
      verified,
      envelope('DestinationResolved', {
        callId,
        accountId: 'acc-1',
        class: 'domestic',
        e164: '+15550100001',
        viaContact: null,
      }),
      envelope('CarrierLegRinging', leg),
      envelope('CarrierLegAnswered', answer),
    ]);
    expect(statusOf(state)).toBe('connected');
    expect(deadlineOf(state)).toBeNull();
  });

  it('rejects the call with the reason identity gave for an untrusted device', () => {
    const state = deliver([
      envelope('SpeakerRejected', {
        callId,
        accountId: 'acc-1',
        deviceId: 'kitchen',
        reason: 'invalid_signature',
        decision: 'reject',
      }),
    ]);
    expect([statusOf(state), reasonOf(state)]).toEqual(['rejected', 'invalid_signature']);
  });

  it('lets an unverified emergency call through routing, and rejects it when routing finds no emergency', () => {
    const unknownSpeaker = envelope('SpeakerRejected', {
      callId,
      accountId: 'acc-1',
      deviceId: 'kitchen',
      reason: 'speaker_not_verified',
      decision: 'reject',
    });
    expect(statusOf(deliver([unknownSpeaker]))).toBe('routing');
    const refused = deliver([
      unknownSpeaker,
      envelope('DestinationRejected', { callId, reason: 'speaker_not_verified' }),
    ]);
    expect([statusOf(refused), reasonOf(refused)]).toEqual(['rejected', 'speaker_not_verified']);
  });

  it('fails a ringing call as no_answer with the carrier codes, and reads a plain carrier failure as carrier_failed', () => {
    const history = [requested, routing, routed, ringing];
    const noAnswer = deliver(
      [envelope('CarrierLegFailed', { ...leg, reason: 'no_answer', sipCode: 480, q850: 19 })],
      history,
    );
    expect(noAnswer).toMatchObject({ status: 'failed', reason: 'no_answer', sipCode: 480, q850: 19 });
    const failed = deliver(
      [envelope('CarrierLegFailed', { ...leg, reason: 'failed', sipCode: 503, q850: 41 })],
      history,
    );
    expect(reasonOf(failed)).toBe('carrier_failed');
  });

  it('ends a connected call when the far end hangs up, but not again for a leg it released itself', () => {
    const history = [requested, routing, routed, ringing];
    const answered = envelope('CarrierLegAnswered', answer);
    expect(
      reasonOf(
        deliver([answered, envelope('CarrierLegEnded', { ...leg, duration: 3, releasedBy: 'remote' })], history),
      ),
    ).toBe('remote_hung_up');
    expect(
      statusOf(deliver([answered, envelope('CarrierLegEnded', { ...leg, duration: 3, releasedBy: 'local' })], history)),
    ).toBe('connected');
  });

  it('keeps the SIP code and Q.850 cause of the far end’s release', () => {
    const history = [requested, routing, routed, ringing];
    const answered = envelope('CarrierLegAnswered', answer);
    const connected = deliver([answered], history);
    const released = envelope('CarrierLegEnded', { ...leg, duration: 3, releasedBy: 'remote', sipCode: 200, q850: 16 });
    expect(commandsFor(released, connected, at(9))).toEqual([{ type: 'HangUp', callId, now: at(9), by: 'remote', sipCode: 200, q850: 16 }]);
  });

  it('ignores events about another call', () => {
    expect(
      commandsFor(
        envelope('CarrierLegAnswered', { ...answer, callId: 'call-2' }),
        foldCall([requested, routing, routed]),
        at(2),
      ),
    ).toEqual([]);
  });

  it('ignores events for a call it does not hold', () => {
    expect(commandsFor(verified, initialCallState, at(1))).toEqual([]);
  });
});
