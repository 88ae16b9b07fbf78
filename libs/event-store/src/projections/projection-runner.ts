import type { DataSource } from 'typeorm';
import { consoleLogger, type StoreLogger } from '../logger';
import { AppendSignal } from '../wakeup/append-signal';
import { catchUpProjection } from './projector';
import type { Projection } from './projection';

export interface ProjectionRunnerOptions {
  readonly dataSource: DataSource;
  readonly projections: readonly Projection[];
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  readonly logger?: StoreLogger;
}

/** Keeps projections caught up in the background: on every append notification and every poll. */
export class ProjectionRunner {
  private readonly signal: AppendSignal;
  private loop: Promise<void> | undefined;
  private running = false;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.signal = new AppendSignal(options.dataSource, options.pollIntervalMs ?? 1000);
  }

  async start(): Promise<void> {
    await this.signal.start();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signal.wake();
    await this.loop;
    await this.signal.stop();
  }

  private async run(): Promise<void> {
    while (this.running) {
      for (const projection of this.options.projections) {
        try {
          await catchUpProjection(this.options.dataSource, projection, { batchSize: this.options.batchSize });
        } catch (error) {
          (this.options.logger ?? consoleLogger).warn(
            { projection: projection.name, error: String(error) },
            'projection catch-up failed; retrying at the next signal',
          );
        }
      }
      if (this.running) await this.signal.next();
    }
  }
}
