import { behaviourFor, scripts, type CarrierBehaviour, type Step } from './behaviours';
import { CallRefused, type CallState, type LegOrder, type SimulatedCall, type StatusReport } from './call';

export interface SimulatedCarrierOptions {
  readonly behaviours: Readonly<Record<string, CarrierBehaviour>>;
  readonly defaultBehaviour: CarrierBehaviour;
  /** Delay before each scripted status, in ms. */
  readonly stepMs: number;
  /** Posts one status to Homeline and gives its answer; a call's statuses are posted one after another, in order. */
  readonly report: (report: StatusReport, traceparent?: string) => Promise<unknown>;
  readonly newId: () => string;
  readonly now: () => Date;
  /** Calls remembered; the oldest are forgotten beyond it (a long bench must not grow without bound). */
  readonly maxCalls?: number;
}

type ReportedStep = Pick<StatusReport, 'status' | 'sipCode' | 'q850'>;

const live: readonly CallState[] = ['dialing', 'ringing', 'answered', 'offered', 'bridged'];

/** The carrier's side of every call: outbound legs played from their behaviour's script, inbound calls offered by a test. */
export class SimulatedCarrier {
  private readonly calls = new Map<string, SimulatedCall>();
  private readonly byLeg = new Map<string, string>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly deliveries = new Map<string, Promise<unknown>>();
  private readonly sequences = new Map<string, number>();

  constructor(private readonly options: SimulatedCarrierOptions) {}

  /** One leg per legId, however often it is asked for (a retry after a timeout or a crash). */
  place(order: LegOrder): { call: SimulatedCall; created: boolean } {
    const known = this.byLegId(order.legId);
    if (known) {
      known.placeRequests += 1;
      return { call: known, created: false };
    }
    const call = this.remember({
      carrierCallId: `sim-${this.options.newId()}`,
      direction: 'outbound',
      state: 'dialing',
      order,
      placeRequests: 1,
      reported: [],
    });
    this.byLeg.set(order.legId, call.carrierCallId);
    const behaviour = behaviourFor(order.e164, this.options.behaviours, this.options.defaultBehaviour);
    this.play(call, scripts[behaviour]);
    return { call, created: true };
  }

  /** Homeline ends a call. Ending an ended call (or one in voicemail, no longer Homeline's) changes nothing. */
  hangUp(carrierCallId: string): SimulatedCall {
    const call = this.known(carrierCallId);
    if (live.includes(call.state))
      this.end(call, { status: 'completed', sipCode: 200, q850: 16 }).catch(() => undefined);
    return call;
  }

  /** Connects an offered inbound call to the device that answered; the same bridge again is a no-op. */
  bridge(carrierCallId: string, deviceId: string): SimulatedCall {
    const call = this.inbound(carrierCallId);
    if (call.state === 'bridged' && call.bridgedTo === deviceId) return call;
    this.mustBeOffered(call);
    call.state = 'bridged';
    call.bridgedTo = deviceId;
    return call;
  }

  /** Sends an offered inbound call to the line's voicemail: from then on it is no longer Homeline's call. */
  sendToVoicemail(carrierCallId: string, reason: string): SimulatedCall {
    const call = this.inbound(carrierCallId);
    if (call.state === 'voicemail') return call;
    this.mustBeOffered(call);
    call.state = 'voicemail';
    call.voicemailReason = reason;
    return call;
  }

  /** A caller dials the line: the call waits, offered, for Homeline to bridge it or send it to voicemail. */
  offer(caller: { from: string; to: string; sensitive?: boolean }): SimulatedCall {
    return this.remember({
      carrierCallId: `sim-in-${this.options.newId()}`,
      direction: 'inbound',
      state: 'offered',
      ...caller,
      placeRequests: 0,
      reported: [],
    });
  }

  /**
   * The far end hangs up: `canceled` while an inbound call is still offered, `completed` once
   * connected. Gives Homeline's answer to that status (undefined when nothing is reported: a call
   * in voicemail is no longer Homeline's).
   */
  remoteHangUp(carrierCallId: string): { call: SimulatedCall; delivery: Promise<unknown> } {
    const call = this.known(carrierCallId);
    if (call.state === 'offered')
      return { call, delivery: this.end(call, { status: 'canceled', sipCode: 487, q850: 16 }) };
    if (call.state === 'bridged' || call.state === 'answered')
      return { call, delivery: this.end(call, { status: 'completed', sipCode: 200, q850: 16 }) };
    if (call.state !== 'voicemail')
      throw new CallRefused(
        409,
        call.state === 'ended' ? 'call_ended' : 'not_connected',
        `call ${carrierCallId} is ${call.state}`,
      );
    call.state = 'ended';
    return { call, delivery: Promise.resolve(undefined) };
  }

  get(carrierCallId: string): SimulatedCall | undefined {
    return this.calls.get(carrierCallId);
  }

  byLegId(legId: string): SimulatedCall | undefined {
    const id = this.byLeg.get(legId);
    return id === undefined ? undefined : this.calls.get(id);
  }

  /** Cancels every scripted status not yet sent, and waits for the webhooks under way. */
  async stop(): Promise<void> {
    this.pending.forEach(clearTimeout);
    this.pending.clear();
    await Promise.all(this.deliveries.values());
  }

  private play(call: SimulatedCall, steps: readonly Step[]): void {
    const [step, ...rest] = steps;
    if (!step) return;
    const timer = setTimeout(async () => {
      this.pending.delete(call.carrierCallId);
      if (!live.includes(call.state)) return;
      call.state = step.status === 'ringing' ? 'ringing' : step.status === 'answered' ? 'answered' : 'ended';
      // The next status follows once this one was answered, as a carrier sends them.
      await this.report(call, step).catch(() => undefined);
      this.play(call, rest);
    }, this.options.stepMs);
    this.pending.set(call.carrierCallId, timer);
  }

  private end(call: SimulatedCall, final: ReportedStep): Promise<unknown> {
    clearTimeout(this.pending.get(call.carrierCallId));
    this.pending.delete(call.carrierCallId);
    call.state = 'ended';
    return this.report(call, final);
  }

  /** Statuses of one call go out in order, each after the previous one was delivered (or given up). */
  private report(call: SimulatedCall, step: ReportedStep): Promise<unknown> {
    const sequence = (this.sequences.get(call.carrierCallId) ?? 0) + 1;
    this.sequences.set(call.carrierCallId, sequence);
    const report: StatusReport = {
      carrierCallId: call.carrierCallId,
      ...(call.order ? { legId: call.order.legId } : {}),
      ...step,
      sequence,
      occurredAt: this.options.now().toISOString(),
    };
    call.reported.push(report);
    const previous = this.deliveries.get(call.carrierCallId) ?? Promise.resolve();
    const delivery = previous.then(() => this.options.report(report, call.order?.traceparent ?? undefined));
    // The chain goes on whatever one delivery did; the caller of this one sees its own failure.
    const settled = delivery.then(
      () => undefined,
      () => undefined,
    );
    this.deliveries.set(call.carrierCallId, settled);
    void settled.then(() => {
      if (this.deliveries.get(call.carrierCallId) === settled) this.deliveries.delete(call.carrierCallId);
    });
    return delivery;
  }

  private remember(call: SimulatedCall): SimulatedCall {
    this.calls.set(call.carrierCallId, call);
    const max = this.options.maxCalls ?? 100_000;
    for (const [id, old] of this.calls) {
      if (this.calls.size <= max) break;
      this.calls.delete(id);
      this.sequences.delete(id);
      if (old.order) this.byLeg.delete(old.order.legId);
    }
    return call;
  }

  private known(carrierCallId: string): SimulatedCall {
    const call = this.calls.get(carrierCallId);
    if (!call) throw new CallRefused(404, 'unknown_call', `no call ${carrierCallId}`);
    return call;
  }

  private inbound(carrierCallId: string): SimulatedCall {
    const call = this.known(carrierCallId);
    if (call.direction !== 'inbound')
      throw new CallRefused(409, 'not_inbound', `call ${carrierCallId} is an outbound leg`);
    return call;
  }

  private mustBeOffered(call: SimulatedCall): void {
    if (call.state === 'offered') return;
    const code =
      call.state === 'bridged' ? 'already_bridged' : call.state === 'voicemail' ? 'in_voicemail' : 'call_ended';
    throw new CallRefused(
      409,
      code,
      `call ${call.carrierCallId} is ${call.state}${call.bridgedTo ? ` to ${call.bridgedTo}` : ''}`,
    );
  }
}
