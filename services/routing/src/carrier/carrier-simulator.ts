import { randomUUID } from 'node:crypto';
import type { CarrierLegOrder, CarrierPort, CarrierStatusCallback } from './carrier.port';
import { carrierSignatureHeader, signCarrierPayload } from './carrier-signature';

/**
 * The embedded carrier: it behaves per destination as configured and reports status through the same signed
 * webhook a real carrier uses, so routing's callback path is exercised exactly as in production.
 */
export type CarrierBehaviour = 'answer' | 'busy' | 'no_answer' | 'fail' | 'ring';

export interface CarrierSimulatorOptions {
  readonly webhookUrl: string;
  readonly secret: string;
  readonly behaviours: Readonly<Record<string, CarrierBehaviour>>;
  readonly defaultBehaviour: CarrierBehaviour;
  /** Delay before each status step, in ms. */
  readonly stepMs: number;
  readonly onDeliveryError?: (error: unknown, callback: CarrierStatusCallback) => void;
}

type Step = Pick<CarrierStatusCallback, 'status' | 'sipCode' | 'q850'>;

const scripts: Record<CarrierBehaviour, Step[]> = {
  answer: [
    { status: 'ringing', sipCode: 180 },
    { status: 'answered', sipCode: 200 },
  ],
  busy: [{ status: 'busy', sipCode: 486, q850: 17 }],
  no_answer: [
    { status: 'ringing', sipCode: 180 },
    { status: 'no_answer', sipCode: 480, q850: 19 },
  ],
  fail: [{ status: 'failed', sipCode: 503, q850: 41 }],
  ring: [{ status: 'ringing', sipCode: 180 }],
};

export class CarrierSimulator implements CarrierPort {
  private readonly legs = new Map<string, { legId: string; sequence: number; answeredAt?: number }>();
  /** legId -> carrierCallId: placing the same leg twice (a retry after a crash) is one leg, as with a real carrier's idempotency key. */
  private readonly placed = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: CarrierSimulatorOptions) {}

  async placeLeg(order: CarrierLegOrder): Promise<{ carrierCallId: string }> {
    const known = this.placed.get(order.legId);
    if (known) return { carrierCallId: known };
    const carrierCallId = `sim-${randomUUID()}`;
    this.placed.set(order.legId, carrierCallId);
    this.legs.set(carrierCallId, { legId: order.legId, sequence: 0 });
    const behaviour = this.options.behaviours[order.e164] ?? this.options.defaultBehaviour;
    this.play(carrierCallId, scripts[behaviour]);
    return { carrierCallId };
  }

  async hangUp(carrierCallId: string): Promise<void> {
    if (this.legs.has(carrierCallId))
      this.later(0, () => this.report(carrierCallId, { status: 'completed', sipCode: 200, q850: 16 }));
  }

  /** Steps go out one after another, each after the previous callback was answered, as a carrier sends them. */
  private play(carrierCallId: string, steps: readonly Step[]): void {
    const [step, ...rest] = steps;
    if (!step) return;
    this.later(this.options.stepMs, async () => {
      await this.report(carrierCallId, step);
      this.play(carrierCallId, rest);
    });
  }

  stop(): void {
    this.timers.forEach(clearTimeout);
    this.timers.clear();
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void fn();
    }, ms);
    this.timers.add(timer);
  }

  private async report(carrierCallId: string, step: Step): Promise<void> {
    const leg = this.legs.get(carrierCallId);
    if (!leg) return;
    leg.sequence += 1;
    if (step.status !== 'ringing' && step.status !== 'answered') {
      this.legs.delete(carrierCallId);
      this.placed.delete(leg.legId);
    }
    const callback: CarrierStatusCallback = {
      carrierCallId,
      legId: leg.legId,
      sequence: leg.sequence,
      occurredAt: new Date().toISOString(),
      ...step,
    };
    await this.deliver(callback, 3);
  }

  private async deliver(callback: CarrierStatusCallback, attempts: number): Promise<void> {
    const body = JSON.stringify(callback);
    try {
      const response = await fetch(this.options.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [carrierSignatureHeader]: signCarrierPayload(this.options.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      if (response.status >= 500) throw new Error(`webhook answered ${response.status}`);
    } catch (error) {
      // A real carrier retries a failed webhook; so does the simulator, a few times with backoff.
      if (attempts > 1) this.later(200, () => this.deliver(callback, attempts - 1));
      else this.options.onDeliveryError?.(error, callback);
    }
  }
}
