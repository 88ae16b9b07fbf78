import { randomUUID } from 'node:crypto';
import { Topics } from '@homeline/contracts';
import { approverPhone, simulatedDevice, type ApproverPhone, type SimulatedDevice } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import { HttpProblem, type CallView } from '../src/homeline-client';
import { createHousehold, spokenRequest, type Household } from '../src/household';
import { startSystem, type RunningSystem } from '../src/running-system';
import { routingDecisionsAt, waitForGroupMembers } from './support/replicas';

/**
 * Issue 11's "How we will know", over HTTP with the whole system running (docs/architecture.md
 * section 6.2): toll-fraud limits, enforced by two routing replicas sharing one PostgreSQL, and
 * step-up approval on the owner's phone. The limits are set here, so every count is exact.
 */
const limits = { device: 4, account: 6, international: 3 };
const approvalTtlSeconds = 30;
const domestic = '+1 555 010 4242';
const international = '+44 20 7946 0018';

/** Calls a test fires "as fast as possible": all their POSTs at once. */
const burstSize = 30;
/** Each test's own time limit: generous, since on a shared machine a burst of calls can take minutes. */
const testTimeoutMs = 300_000;
/** How long `eventually` waits for an event to travel (Kafka, another service): as generous, for the same reason. */
const patiently = { timeoutMs: 60_000, intervalMs: 250 };

describe('toll-fraud limits and step-up approval, end to end', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({
      replicas: { routing: 2 },
      env: {
        routing: {
          RATE_LIMIT_DEVICE_PER_MINUTE: String(limits.device),
          RATE_LIMIT_ACCOUNT_PER_MINUTE: String(limits.account),
          DAILY_BUDGET_INTERNATIONAL: String(limits.international),
          DAILY_BUDGET_PREMIUM: '1',
          // Calls connected by a burst stay up until the test hangs them up: the line's cap would bind first.
          MAX_CONCURRENT_CALLS_PER_LINE: '1000',
        },
        identity: { APPROVAL_TTL_SECONDS: String(approvalTtlSeconds), EXPIRY_SWEEP_INTERVAL_MS: '500' },
        // A burst on a busy machine must end by the limits, not by a step's deadline.
        calls: { CALL_VERIFICATION_TIMEOUT_MS: '60000', CALL_ROUTING_TIMEOUT_MS: '60000' },
      },
    });
  }, 240_000);

  afterAll(() => system?.stop());

  /** Places every request at once; waits until each is connected or final; hangs up the connected ones. */
  const burst = async (requests: ReadonlyArray<ReturnType<typeof spokenRequest>>) => {
    const accepted = await Promise.all(requests.map((request) => system.client.placeCall(request)));
    const calls = await Promise.all(accepted.map(({ callId }) => system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed'], 2 * patiently.timeoutMs)));
    await Promise.all(calls.filter((c) => c.status === 'connected').map((c) => system.client.hangUp(c.callId)));
    return tally(calls);
  };

  const place = async (request: ReturnType<typeof spokenRequest>): Promise<CallView> => {
    const { callId } = await system.client.placeCall(request);
    return system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed'], patiently.timeoutMs);
  };

  /** Another speaker in the household, linked as `POST .../devices` links it. */
  const linkSpeaker = async (home: Household, name: string): Promise<SimulatedDevice> => {
    const device = simulatedDevice(`${name}-${randomUUID()}`);
    await system.client.linkDevice(home.accountId, { deviceId: device.deviceId, name, publicKey: device.publicKey });
    return device;
  };

  /** What member `who` says into `device`: `spokenRequest` for a speaker other than the kitchen's. */
  const saidInto = (home: Household, device: SimulatedDevice, who: string, target: string) =>
    spokenRequest({ ...home, device }, home.members[who].voice, target);

  describe('toll-fraud limits', () => {
    it(`connects ${limits.device} of ${burstSize} calls from one device, refuses the rest rate_limited, and still connects 911`, async () => {
      const home = await createHousehold(system.client);
      const outcome = await burst(Array.from({ length: burstSize }, () => spokenRequest(home, home.members.Alex.voice, domestic)));
      expect(outcome).toEqual({ connected: limits.device, 'rejected rate_limited': burstSize - limits.device });

      const emergency = await place(spokenRequest(home, home.members.Alex.voice, '911'));
      expect(emergency).toMatchObject({ status: 'connected', destination: { class: 'emergency', e164: '911' } });
      await system.client.hangUp(emergency.callId);
      // The device was still over its limit when 911 connected: the limit was in force, and skipped.
      expect(await place(spokenRequest(home, home.members.Alex.voice, domestic))).toMatchObject({ status: 'rejected', reason: 'rate_limited' });
    }, testTimeoutMs);

    it(`stops an international burst at the daily budget of ${limits.international}`, async () => {
      const home = await createHousehold(system.client);
      const outcome = await burst(Array.from({ length: 10 }, () => spokenRequest(home, home.members.Alex.voice, international)));
      expect(outcome).toEqual({ connected: limits.international, 'rejected rate_limited': 10 - limits.international });
    }, testTimeoutMs);

    it('holds the account limit exactly when a burst from three devices is split across two routing replicas', async () => {
      await waitForGroupMembers(system, 'homeline-routing.calls', Topics.calls, 2);
      const home = await createHousehold(system.client);
      const devices = [home.device, await linkSpeaker(home, 'den'), await linkSpeaker(home, 'hall')];
      const before = await Promise.all(system.replicaEndpoints.routing.map(routingDecisionsAt));

      const requests = Array.from({ length: burstSize }, (_, i) => saidInto(home, devices[i % devices.length], 'Alex', domestic));
      const outcome = await burst(requests);
      // Three devices could place 3 x 4 calls; the account's 6 in a minute binds, whichever replica decided.
      expect(outcome).toEqual({ connected: limits.account, 'rejected rate_limited': burstSize - limits.account });

      const decided = (await Promise.all(system.replicaEndpoints.routing.map(routingDecisionsAt))).map((after, i) => after - before[i]);
      expect(decided.reduce((a, b) => a + b)).toBe(burstSize);
      expect(decided.every((n) => n > 0)).toBe(true);
    }, testTimeoutMs);
  });

  describe('step-up approval', () => {
    /** A household whose owner Alex has registered his phone as an approver. */
    const guardedHome = async (): Promise<{ home: Household; phone: ApproverPhone }> => {
      const home = await createHousehold(system.client);
      const phone = approverPhone(`alex-phone-${randomUUID()}`);
      await system.client.registerApprover(home.accountId, home.members.Alex.memberId, { approverId: phone.approverId, publicKey: phone.publicKey });
      return { home, phone };
    };

    /** `POST .../devices` with its HTTP status, which the client does not show. */
    const linkHeld = async (home: Household, device: SimulatedDevice) => {
      const response = await fetch(`${system.endpoints.identity}/v1/accounts/${home.accountId}/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${system.credentials.integrationToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: device.deviceId, name: 'Den', publicKey: device.publicKey }),
      });
      return { status: response.status, body: (await response.json()) as { approvalId: string; status: string } };
    };

    const problemOf = (promise: Promise<unknown>) =>
      promise.then(
        (body) => ({ status: 200, body }),
        (error: unknown) => {
          if (!(error instanceof HttpProblem)) throw error;
          return { status: error.status, code: error.body.code };
        },
      );

    // Asked for first, answered by nobody: its time runs out while the other tests run.
    let lapsing: Promise<{ home: Household; phone: ApproverPhone; den: SimulatedDevice; approvalId: string }>;
    beforeAll(() => {
      lapsing = (async () => {
        const { home, phone } = await guardedHome();
        const den = simulatedDevice(`lapsing-den-${randomUUID()}`);
        const { body } = await linkHeld(home, den);
        return { home, phone, den, approvalId: body.approvalId };
      })();
      return lapsing;
    });

    it("holds a second speaker: 202 pending, its calls refused and its answers too, another key's yes refused, the owner's yes lets it call", async () => {
      const { home, phone } = await guardedHome();
      const den = simulatedDevice(`den-${randomUUID()}`);
      const held = await linkHeld(home, den);
      expect(held).toEqual({ status: 202, body: expect.objectContaining({ approvalId: expect.any(String), status: 'pending' }) });
      const { approvalId } = held.body;
      expect(await system.client.getApproval(home.accountId, approvalId)).toMatchObject({ status: 'pending', action: { type: 'link_device', deviceId: den.deviceId } });
      // ApprovalRequested went out on Kafka for the carrier's push service: the audit consumed it.
      await eventually(async () => {
        const { entries } = await system.client.auditEntries({ accountId: home.accountId, type: 'ApprovalRequested' });
        expect(entries).toHaveLength(1);
      }, patiently);

      expect(await place(saidInto(home, den, 'Alex', 'Mom'))).toMatchObject({ status: 'rejected', reason: 'device_pending_approval' });
      // A caller dials the line: only the linked speaker rings, and the held one cannot take the call.
      const { carrierCallId, routing } = await system.carrier.offerInbound({ from: '+15550100123', to: home.msisdn });
      const { callId: inbound } = routing.body as { callId: string };
      await eventually(async () => {
        const ringing = await system.client.getCall(inbound);
        expect({ status: ringing.status, devices: ringing.devices?.map((d) => d.deviceId) }).toEqual({ status: 'ringing', devices: [home.device.deviceId] });
      }, patiently);
      const answer = den.assert({ purpose: 'answer-call', subject: inbound, embedding: home.members.Alex.voice.utter() });
      expect(await problemOf(system.client.answerCall(inbound, { deviceId: den.deviceId, voice: answer }))).toEqual({ status: 409, code: 'not_ringing' });
      await system.carrier.hangUp(carrierCallId);

      const thief = approverPhone(phone.approverId, 'someone who learnt the approver id');
      expect(await problemOf(system.client.decideApproval(home.accountId, approvalId, thief.sign(approvalId, 'approve'))))
        .toEqual({ status: 403, code: 'invalid_approval_signature' });
      expect(await system.client.getApproval(home.accountId, approvalId)).toMatchObject({ status: 'pending' });
      expect(await place(saidInto(home, den, 'Alex', 'Mom'))).toMatchObject({ status: 'rejected', reason: 'device_pending_approval' });

      expect(await system.client.decideApproval(home.accountId, approvalId, phone.sign(approvalId, 'approve'))).toMatchObject({ status: 'approved' });
      const call = await place(saidInto(home, den, 'Alex', 'Mom'));
      expect(call).toMatchObject({ status: 'connected', deviceId: den.deviceId, memberId: home.members.Alex.memberId });
      await system.client.hangUp(call.callId);
    }, testTimeoutMs);

    it('leaves a member without a grant the owner denied (their international call refused), and gives one she approved', async () => {
      const { home, phone } = await guardedHome();
      const sam = home.members.Sam.memberId;
      const grantsOfSam = async () => {
        const account = await system.client.request<{ members: { memberId: string; grants: string[] }[] }>('identity', 'GET', `/v1/accounts/${home.accountId}`);
        return account.members.find((m) => m.memberId === sam)?.grants;
      };

      const denied = await system.client.updateMember(home.accountId, sam, { grant: ['international'] });
      expect(denied).toMatchObject({ approvalId: expect.any(String), status: 'pending' });
      expect(await system.client.decideApproval(home.accountId, denied.approvalId!, phone.sign(denied.approvalId!, 'deny'))).toMatchObject({ status: 'denied' });
      expect(await grantsOfSam()).not.toContain('international');
      expect(await place(spokenRequest(home, home.members.Sam.voice, international))).toMatchObject({ status: 'rejected', reason: 'not_permitted' });

      // The same request approved: Sam's voice and this number were never what stood in the way.
      const approved = await system.client.updateMember(home.accountId, sam, { grant: ['international'] });
      await system.client.decideApproval(home.accountId, approved.approvalId!, phone.sign(approved.approvalId!, 'approve'));
      expect(await grantsOfSam()).toContain('international');
      const call = await eventually(async () => {
        const attempt = await place(spokenRequest(home, home.members.Sam.voice, international));
        expect(attempt).toMatchObject({ status: 'connected', destination: { class: 'international' } });
        return attempt;
      }, patiently);
      await system.client.hangUp(call.callId);
    }, testTimeoutMs);

    it(`expires an approval nobody answered within APPROVAL_TTL_SECONDS (${approvalTtlSeconds}), and the speaker stays unlinked`, async () => {
      const { home, phone, den, approvalId } = await lapsing;
      await eventually(async () => {
        expect(await system.client.getApproval(home.accountId, approvalId)).toMatchObject({ status: 'expired', action: { deviceId: den.deviceId } });
        // The sweep recorded it (ApprovalExpired), not only the read.
        const { entries } = await system.client.auditEntries({ accountId: home.accountId, type: 'ApprovalExpired' });
        expect(entries).toHaveLength(1);
      }, { ...patiently, timeoutMs: approvalTtlSeconds * 1000 + patiently.timeoutMs });

      expect(await problemOf(system.client.decideApproval(home.accountId, approvalId, phone.sign(approvalId, 'approve'))))
        .toEqual({ status: 409, code: 'approval_expired' });
      expect(await place(saidInto(home, den, 'Alex', 'Mom'))).toMatchObject({ status: 'rejected', reason: 'unlinked_device' });
    }, testTimeoutMs);
  });
});

/** `connected`, `rejected rate_limited`, ...: how many calls ended up each way. */
const tally = (calls: readonly CallView[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const { status, reason } of calls) {
    const key = reason && status !== 'connected' ? `${status} ${reason}` : status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};
