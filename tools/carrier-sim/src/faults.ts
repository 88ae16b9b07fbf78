import { z } from 'zod';

/**
 * Faults a test asks for (`POST /sim/faults`): the next `count` call-control requests are
 * delayed, answered with an error status, or have their connection dropped without an answer,
 * in that order of what a carrier's outage looks like from the outside. A request answered with
 * a fault or dropped changes nothing at the carrier.
 */
export const faultSchema = z
  .object({
    count: z.number().int().min(1).max(10_000),
    status: z.number().int().min(400).max(599).optional(),
    /** Sent as Retry-After with a status (429, 503). */
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    delayMs: z.number().int().min(0).max(120_000).optional(),
    drop: z.boolean().optional(),
  })
  .refine((f) => f.status !== undefined || f.delayMs !== undefined || f.drop, {
    message: 'a fault needs a status, a delayMs or drop',
  });

export type Fault = Omit<z.infer<typeof faultSchema>, 'count'>;

export class Faults {
  private readonly queue: { fault: Fault; left: number }[] = [];

  add(fault: z.infer<typeof faultSchema>): void {
    const { count, ...rest } = fault;
    this.queue.push({ fault: rest, left: count });
  }

  /** The fault for the next request, if one is pending. */
  take(): Fault | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    if (--head.left === 0) this.queue.shift();
    return head.fault;
  }

  get pending(): number {
    return this.queue.reduce((sum, entry) => sum + entry.left, 0);
  }

  clear(): void {
    this.queue.length = 0;
  }
}
