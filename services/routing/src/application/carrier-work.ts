import { backoffMs, runInTransaction, type Clock } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import { carrierInstructionFor, type GiveUpBridge } from '../domain';
import { CarrierRejected, CarrierUnavailable, type CarrierPort } from './carrier.port';
import type { InboundCalls } from './inbound.ports';
import type { CarrierRequests, ClaimedRequest } from './ports';
import { inboundStreamId, legStreamId, type InboundCommands, type LegCommands } from './streams';

export type RequestResult = 'done' | 'retried' | 'given_up';

export interface CarrierWorkOptions {
  /** Attempts before a request is given up (a placement then fails its leg). */
  readonly maxAttempts: number;
  /** Told of each request's outcome (metrics, logs). */
  readonly onOutcome?: (request: ClaimedRequest, result: RequestResult, error?: unknown) => void;
  /** Inbound calls' streams and carrier calls: a bridge given up ends its call (GiveUpBridge). */
  readonly inbound: { readonly calls: InboundCalls; readonly commands: InboundCommands };
}

/**
 * One claimed request to the carrier, after the claim committed: call the carrier outside any
 * transaction (a slow carrier holds no row, no lock and no snapshot, so it delays nobody's
 * events), then record the outcome in a short transaction of its own. A crash in between leaves
 * the claim to expire; the request is then sent again with the same legId, which the carrier
 * treats as the same leg.
 */
export class CarrierWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: CarrierRequests,
    private readonly carrier: CarrierPort,
    private readonly legCommands: LegCommands,
    private readonly clock: Clock,
    private readonly options: CarrierWorkOptions,
  ) {}

  async perform(request: ClaimedRequest): Promise<void> {
    let carrierCallId: string | undefined;
    try {
      carrierCallId = await this.call(request);
    } catch (error) {
      return this.failed(request, error);
    }
    if (carrierCallId !== undefined) await this.requests.placed(request, carrierCallId);
    else await this.requests.done(this.dataSource.manager, request);
    this.options.onOutcome?.(request, 'done');
  }

  /** The request itself; a placement answers the carrier's id for the leg. */
  private async call(request: ClaimedRequest): Promise<string | undefined> {
    switch (request.action) {
      case 'place':
        return (await this.carrier.placeLeg(request.order)).carrierCallId;
      case 'hang_up':
        if (request.carrierCallId) await this.carrier.hangUp(request.carrierCallId);
        return undefined;
      case 'bridge':
        return void (await this.carrier.bridge(request.carrierCallId, request.deviceId));
      case 'voicemail':
        return void (await this.carrier.sendToVoicemail(request.carrierCallId, request.reason));
      default: {
        const unknown: never = request;
        throw new Error(`unknown carrier request ${(unknown as ClaimedRequest).action}`);
      }
    }
  }

  private async failed(request: ClaimedRequest, error: unknown): Promise<void> {
    // A refusal is final (the carrier answered no; asking again gets the same no); anything else may
    // pass. A hang-up or a voicemail is never given up for a carrier that is away (docs/carrier-api.md:
    // they wait until it is back): given up, the carrier call would stay up, billed, a caller on hold.
    // Every try counts for the backoff, which honours the carrier's Retry-After (up to 5 minutes).
    // Whether a try may have been carried out is kept apart: a placement none of whose tries may
    // have been (a refused connection, a 429, its circuit open) is dropped when its call ends.
    // An emergency call's placement is never given up while its call lasts either, and is tried
    // again within a second whatever the carrier asks: calls bounds it (CALL_EMERGENCY_SETUP_TIMEOUT_MS),
    // and the call's end drops the placement, or hangs up what it placed.
    const unavailable = error instanceof CarrierUnavailable ? error : undefined;
    const emergency = request.action === 'place' && request.order.emergency;
    const waitsForCarrier = request.action === 'hang_up' || request.action === 'voicemail' || emergency;
    if (!(error instanceof CarrierRejected) && (waitsForCarrier || request.attempts + 1 < this.options.maxAttempts)) {
      const delayMs = emergency
        ? backoffMs(request.attempts + 1, 250, 1_000)
        : Math.max(backoffMs(request.attempts + 1, 250, 30_000), Math.min(unavailable?.retryAfterMs ?? 0, 300_000));
      await this.requests.retryLater(request, delayMs, !unavailable?.notCarriedOut);
      return this.options.onOutcome?.(request, 'retried', error);
    }
    if (request.action === 'place') await this.giveUpPlacement(request);
    else if (request.action === 'bridge') await this.giveUpBridge(request);
    // A hang-up or voicemail the carrier refused: given up loudly (log, metric); asking again gets the same no.
    else await this.requests.done(this.dataSource.manager, request);
    this.options.onOutcome?.(request, 'given_up', error);
  }

  /**
   * The caller cannot be put through to the device that answered: the call is ended as abandoned
   * (calls ends it, which had it connected with no deadline left) and the carrier is asked to
   * release the caller it holds, rather than leave both waiting until the caller gives up.
   */
  private giveUpBridge(request: Extract<ClaimedRequest, { action: 'bridge' }>): Promise<void> {
    const { callId, accountId, carrierCallId, legId } = request;
    const command: GiveUpBridge = { type: 'GiveUpBridge', deviceId: request.deviceId };
    return runInTransaction(this.dataSource, async (tx) => {
      const [outcome] = await this.options.inbound.commands.handleAll(tx, [
        { streamId: inboundStreamId(callId), commands: [command], metadata: { accountId, now: this.clock.now() } },
      ]);
      const instruction = carrierInstructionFor(command, outcome.state, outcome.newEvents);
      if (instruction) await this.options.inbound.calls.instruct(tx, [{ record: { callId, accountId, carrierCallId, legId }, instruction }]);
      await this.requests.done(tx, request);
    });
  }

  /** The leg fails for want of a carrier, so calls fails the call now rather than at its deadline. */
  private giveUpPlacement(request: ClaimedRequest): Promise<void> {
    const now = this.clock.now();
    return this.legCommands.execute(
      this.dataSource,
      {
        streamId: legStreamId(request.legId),
        commands: [{ type: 'GiveUpPlacement', legId: request.legId, now: now.toISOString() }],
        metadata: { accountId: request.accountId, now },
      },
      (tx) => this.requests.done(tx, request),
    );
  }
}
