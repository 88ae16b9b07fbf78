import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AppendSignal } from '@homeline/event-store';
import type { CarrierPort } from '../carrier/carrier.port';
import { findLeg, recordCarrierCallId } from './carrier-legs';
import {
  carrierRequestsChannel,
  completeRequest,
  retryRequestLater,
  takeDueRequests,
  type CarrierRequest,
} from './carrier-requests';

export interface LegDispatcherOptions {
  readonly pollMs: number;
  readonly batchSize?: number;
  /** Attempts before a placement is given up (the call's own deadline then fails it). */
  readonly maxAttempts?: number;
  /** Told of each request's outcome (metrics). */
  readonly onOutcome?: (action: CarrierRequest['action'], result: 'done' | 'retried' | 'given_up') => void;
}

const backoffMs = (attempts: number): number => Math.min(30_000, 250 * 2 ** attempts);

/**
 * Calls the carrier for queued requests, only ever after the transaction that queued them has
 * committed: woken by NOTIFY, on start (work left by a crash) and by a poll. The request row is
 * deleted in the same transaction that stores the carrier's call id, so a crash in between
 * places the leg again with the same legId, which the carrier treats as the same leg.
 */
export class LegDispatcher {
  private readonly logger = new Logger(LegDispatcher.name);
  private readonly wakeup: AppendSignal;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly carrier: CarrierPort,
    private readonly options: LegDispatcherOptions,
  ) {
    this.wakeup = new AppendSignal(dataSource, options.pollMs, carrierRequestsChannel);
  }

  async start(): Promise<void> {
    await this.wakeup.start();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
    await this.wakeup.stop();
  }

  /** Runs one batch; returns how many requests it took. */
  async dispatchBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const requests = await takeDueRequests(manager, this.options.batchSize ?? 50);
      for (const request of requests) await this.dispatch(manager, request);
      return requests.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let taken = 0;
      try {
        taken = await this.dispatchBatch();
      } catch (error) {
        this.logger.warn(`carrier dispatch failed, retrying: ${String(error)}`);
      }
      if (taken === 0 && this.running) await this.wakeup.next();
    }
  }

  private async dispatch(manager: EntityManager, request: CarrierRequest): Promise<void> {
    try {
      if (request.action === 'place') {
        const { carrierCallId } = await this.carrier.placeLeg(request.payload);
        await recordCarrierCallId(manager, request.legId, carrierCallId);
      } else {
        const leg = await findLeg(manager, request.legId);
        if (leg?.carrierCallId) await this.carrier.hangUp(leg.carrierCallId);
      }
      await completeRequest(manager, request.requestId);
      this.options.onOutcome?.(request.action, 'done');
    } catch (error) {
      if (request.attempts + 1 < (this.options.maxAttempts ?? 8)) {
        this.logger.warn(
          `carrier ${request.action} for leg ${request.legId} failed (attempt ${request.attempts + 1}): ${String(error)}`,
        );
        await retryRequestLater(manager, request.requestId, backoffMs(request.attempts));
        this.options.onOutcome?.(request.action, 'retried');
        return;
      }
      // Given up: the call's own deadline fails it, and that releases the leg (CarrierLegEnded, local).
      this.logger.error(`carrier ${request.action} for leg ${request.legId} given up: ${String(error)}`);
      await completeRequest(manager, request.requestId);
      this.options.onOutcome?.(request.action, 'given_up');
    }
  }
}
