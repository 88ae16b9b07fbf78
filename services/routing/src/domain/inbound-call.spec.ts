import { deciderSpecification } from '@homeline/testing';
import { evolveInbound, initialInboundState, type InboundCallEvent, type InboundCallState } from './inbound-call';
import { carrierInstructionFor, decideInbound, inboundCallDecider, type InboundCallCommand } from './inbound-call.decide';
import { abandoned, bridged, callId, cancelled, carrierCallId, offer, offered, ring, ringing } from './inbound.fixtures';

const given = deciderSpecification<InboundCallCommand, InboundCallEvent, InboundCallState>(inboundCallDecider);

const answer = (deviceId: string): InboundCallCommand => ({ type: 'BridgeAnsweredDevice', deviceId });
const ringOut: InboundCallCommand = { type: 'RingOut' };
const end = (cause: 'hung_up' | 'remote_hung_up' | 'caller_hung_up' | 'cancelled' | null): InboundCallCommand => ({
  type: 'EndInboundCall',
  cause,
});
const hangUp: InboundCallCommand = { type: 'AbandonCall', carrierCallId };
const giveUpBridge = (deviceId: string): InboundCallCommand => ({ type: 'GiveUpBridge', deviceId });
const stopRinging = (deviceId: string): InboundCallCommand => ({ type: 'StopRinging', deviceId });
const answeredOnHall = [...ringing, bridged('hall'), cancelled('kitchen', 'answered_elsewhere'), cancelled('attic', 'answered_elsewhere')];

describe('a ringing inbound call', () => {
  it('is taken by the answer calls connected, and the other devices stop ringing', () =>
    given(ringing)
      .when(answer('hall'))
      .then([bridged('hall'), cancelled('kitchen', 'answered_elsewhere'), cancelled('attic', 'answered_elsewhere')]));

  it('cancels nobody when it rang on the answering device alone', () =>
    given([offered(['kitchen']), ring('kitchen')])
      .when(answer('kitchen'))
      .then([bridged('kitchen')]));

  it('is not taken by a device it never rang', () => given(ringing).when(answer('garage')).thenNothingHappens());

  it('stops ringing everywhere when the caller hangs up', () =>
    given(ringing)
      .when(hangUp)
      .then([
        abandoned,
        cancelled('kitchen', 'caller_hung_up'),
        cancelled('hall', 'caller_hung_up'),
        cancelled('attic', 'caller_hung_up'),
      ]));

  it('keeps the SIP code and Q.850 cause the carrier gave for the caller’s hang-up', () => {
    const [event] = decideInbound({ ...hangUp, sipCode: 487, q850: 16 } as InboundCallCommand, ringing.reduce(evolveInbound, initialInboundState()));
    expect(event).toEqual({ type: 'InboundCallAbandoned', data: { callId, carrierCallId, sipCode: 487, q850: 16 } });
  });

  it('stops ringing everywhere when nobody answers in time', () =>
    given(ringing)
      .when(ringOut)
      .then([cancelled('kitchen', 'no_answer'), cancelled('hall', 'no_answer'), cancelled('attic', 'no_answer')]));

  it('stops ringing everywhere when calls ends it', () =>
    given(ringing)
      .when(end('cancelled'))
      .then([cancelled('kitchen', 'call_ended'), cancelled('hall', 'call_ended'), cancelled('attic', 'call_ended')]));

  it('stops ringing on a speaker unlinked from the household, and rings on the others', () => {
    given(ringing).when(stopRinging('hall')).then([cancelled('hall', 'device_unlinked')]);
    given([...ringing, cancelled('hall', 'device_unlinked')]).when(answer('kitchen')).then([bridged('kitchen'), cancelled('attic', 'answered_elsewhere')]);
    given(ringing).when(stopRinging('garage')).thenNothingHappens();
  });

  it('is not bridged to a speaker unlinked as its answer was verified: calls is told it is over, the others stop, the caller gets voicemail', () => {
    const hallUnlinked = [...ringing, cancelled('hall', 'device_unlinked')];
    given(hallUnlinked).when(answer('hall')).then([cancelled('kitchen', 'no_answer'), cancelled('attic', 'no_answer'), abandoned]);
    const state = hallUnlinked.reduce(evolveInbound, initialInboundState());
    const decided = decideInbound(answer('hall'), state);
    const after = decided.reduce(evolveInbound, state);
    expect(carrierInstructionFor(answer('hall'), after, decided)).toEqual({ action: 'voicemail', reason: 'no_answer' });
    given([...hallUnlinked, ...decided]).when(answer('hall')).thenNothingHappens();
  });

  it('is told over, and voicemail not asked twice, when the unlinked speaker was the last to ring', () => {
    const lastUnlinked = [offered(['kitchen']), ring('kitchen'), cancelled('kitchen', 'device_unlinked')];
    given(lastUnlinked).when(answer('kitchen')).then([abandoned]);
    const state = lastUnlinked.reduce(evolveInbound, initialInboundState());
    const decided = decideInbound(answer('kitchen'), state);
    expect(carrierInstructionFor(answer('kitchen'), decided.reduce(evolveInbound, state), decided)).toBeNull();
  });

  it('is not ended by an answer of a device it never rang, nor after nobody answered in time', () => {
    given([...ringing, cancelled('kitchen', 'no_answer'), cancelled('hall', 'no_answer'), cancelled('attic', 'no_answer')])
      .when(answer('hall')).thenNothingHappens();
  });

  it('ignores a hang-up about another carrier call', () =>
    given(ringing).when({ type: 'AbandonCall', carrierCallId: 'cc-other' }).thenNothingHappens());
});

describe('an answered inbound call', () => {
  it('is taken once: the same answer again, or another, bridges and cancels nothing more', () => {
    given(answeredOnHall).when(answer('hall')).thenNothingHappens();
    given(answeredOnHall).when(answer('kitchen')).thenNothingHappens();
  });

  it('never tells the answering device to stop ringing when the call ends', () =>
    given(answeredOnHall).when(end('hung_up')).thenNothingHappens());

  it('is abandoned when the carrier says the caller left as the answer came, and no device is told to stop', () =>
    given(answeredOnHall).when(hangUp).then([abandoned]));

  it('is not rung out by a late deadline', () => given(answeredOnHall).when(ringOut).thenNothingHappens());

  it('is abandoned when the carrier would not bridge the caller to the device that answered', () => {
    given(answeredOnHall).when(giveUpBridge('hall')).then([abandoned]);
    // Another device's bridge, or a call already over, decides nothing.
    given(answeredOnHall).when(giveUpBridge('kitchen')).thenNothingHappens();
    given([...answeredOnHall, abandoned]).when(giveUpBridge('hall')).thenNothingHappens();
  });
});

describe('an inbound call that is over', () => {
  const abandonedCall = [...ringing, abandoned, ...['kitchen', 'hall', 'attic'].map((d) => cancelled(d, 'caller_hung_up'))];
  const rungOut = [...ringing, ...['kitchen', 'hall', 'attic'].map((d) => cancelled(d, 'no_answer'))];

  it('cancels nothing twice when the caller’s hang-up is reported again', () => given(abandonedCall).when(hangUp).thenNothingHappens());

  it('takes no answer after the caller hung up', () => given(abandonedCall).when(answer('hall')).thenNothingHappens());

  it('cancels nothing when calls’ end follows the hang-up', () =>
    given(abandonedCall).when(end('caller_hung_up')).thenNothingHappens());

  it('takes no hang-up or answer after nobody answered', () => {
    given(rungOut).when(hangUp).thenNothingHappens();
    given(rungOut).when(answer('hall')).thenNothingHappens();
    given(rungOut).when(ringOut).thenNothingHappens();
  });

  it('stays declined: calls rejecting it cancels nothing', () =>
    given([offered([]), { type: 'InboundCallDeclined', data: { callId: 'call-1', accountId: 'acc-1', reason: 'away_mode' } }])
      .when(end(null))
      .thenNothingHappens());

  it('does nothing for an event about a call never offered here', () => {
    given([]).when(answer('hall')).thenNothingHappens();
    given([]).when(hangUp).thenNothingHappens();
  });
});

describe('what routing asks of the carrier', () => {
  const after = (given: readonly InboundCallEvent[], command: InboundCallCommand) => {
    const state = given.reduce(evolveInbound, initialInboundState());
    const decided = decideInbound(command, state);
    return carrierInstructionFor(command, decided.reduce(evolveInbound, state), decided);
  };

  it('sends a declined call to voicemail, with the reason', () =>
    expect(after([], offer({ awayMode: { enabled: true, until: null } }))).toEqual({ action: 'voicemail', reason: 'away_mode' }));

  it('asks nothing for a call that rings', () => expect(after([], offer())).toBeNull());

  it('bridges the caller to the device that answered, once', () => {
    expect(after(ringing, answer('hall'))).toEqual({ action: 'bridge', deviceId: 'hall' });
    expect(after(answeredOnHall, answer('hall'))).toBeNull();
  });

  it('sends an unanswered call to voicemail, once', () => {
    expect(after(ringing, ringOut)).toEqual({ action: 'voicemail', reason: 'no_answer' });
    expect(after([...ringing, ...['kitchen', 'hall', 'attic'].map((d) => cancelled(d, 'no_answer'))], ringOut)).toBeNull();
  });

  it('sends the caller to voicemail when the last ringing speaker is unlinked, and asks nothing while others ring', () => {
    const unlinked = (...devices: string[]) => devices.map((d) => cancelled(d, 'device_unlinked'));
    expect(after(ringing, stopRinging('hall'))).toBeNull();
    expect(after([...ringing, ...unlinked('hall', 'attic')], stopRinging('kitchen'))).toEqual({ action: 'voicemail', reason: 'no_answer' });
    // Nobody is left to answer: the deadline that comes after rings nothing out again.
    expect(after([...ringing, ...unlinked('hall', 'attic', 'kitchen')], ringOut)).toBeNull();
  });

  it('releases the caller when the household hangs up a bridged call, or calls ends one still ringing', () => {
    expect(after(answeredOnHall, end('hung_up'))).toEqual({ action: 'hang_up' });
    expect(after(ringing, end('cancelled'))).toEqual({ action: 'hang_up' });
  });

  it('releases the caller the carrier would not bridge, once', () => {
    expect(after(answeredOnHall, giveUpBridge('hall'))).toEqual({ action: 'hang_up' });
    expect(after([...answeredOnHall, abandoned], giveUpBridge('hall'))).toBeNull();
  });

  it('asks nothing when the caller is already gone', () => {
    expect(after(answeredOnHall, end('remote_hung_up'))).toBeNull();
    expect(after(ringing, hangUp)).toBeNull();
  });
});
