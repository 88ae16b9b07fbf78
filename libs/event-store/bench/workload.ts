/** The benchmark's workload: appends spread over many streams, by a few concurrent writers. */
export interface Workload {
  readonly streams: number;
  readonly writers: number;
  readonly transactions: number;
  readonly eventsPerTransaction: number;
}

export interface BenchEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A store under test: append `events` to `streamId`, which is at `expectedVersion`. */
export type Append = (streamId: string, events: readonly BenchEvent[], expectedVersion: number) => Promise<void>;

const eventFor = (stream: number, version: number): BenchEvent => ({
  type: version === 1 ? 'CallRequested' : 'CallProgressed',
  data: { callId: `call-${stream}`, deviceId: `device-${stream % 97}`, target: '+33612345678', step: version },
});

/**
 * Runs the workload and returns events per second. Writer w owns the streams s with
 * s % writers === w, so writers never conflict and each knows its streams' versions.
 */
export const runWorkload = async (prefix: string, workload: Workload, append: Append): Promise<number> => {
  const versions = new Array<number>(workload.streams).fill(0);
  const perWriter = Math.ceil(workload.transactions / workload.writers);
  const writer = async (w: number) => {
    const owned = Array.from({ length: Math.ceil(workload.streams / workload.writers) }, (_, i) => w + i * workload.writers)
      .filter((s) => s < workload.streams);
    for (let t = 0; t < perWriter; t++) {
      const stream = owned[t % owned.length];
      const from = versions[stream];
      const events = Array.from({ length: workload.eventsPerTransaction }, (_, i) => eventFor(stream, from + i + 1));
      await append(`${prefix}-${stream}`, events, from);
      versions[stream] = from + events.length;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: workload.writers }, (_, w) => writer(w)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (perWriter * workload.writers * workload.eventsPerTransaction) / seconds;
};
