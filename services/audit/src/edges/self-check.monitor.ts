import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@homeline/platform';
import { Gauge, Registry } from 'prom-client';
import { SelfCheck, type SelfCheckReport } from '../application/self-check';
import type { AuditConfig } from '../config';

/**
 * Runs the self-check every AUDIT_SELF_CHECK_INTERVAL_MS and makes its result visible: the gauges
 * `audit_self_check_ok` (1/0) and `audit_self_check_first_bad_index` (-1 when none) on /metrics,
 * absent until a check has run, and an error log line naming the problems. GET /v1/audit/self-check runs it on request.
 */
@Injectable()
export class SelfCheckMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditSelfCheck');
  private readonly ok: Gauge;
  private readonly firstBad: Gauge;
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: AuditConfig, private readonly registry: Registry, private readonly check: SelfCheck) {
    // Registered by the first verdict: a gauge reads 0 until set, and "not ok, bad at index 0" before any check would page someone.
    this.ok = new Gauge({ name: 'audit_self_check_ok', help: '1 when the last self-check found the log consistent, 0 when not', registers: [] });
    this.firstBad = new Gauge({ name: 'audit_self_check_first_bad_index', help: 'First index the last self-check found inconsistent (-1: none)', registers: [] });
  }

  onApplicationBootstrap(): void {
    const every = this.config.AUDIT_SELF_CHECK_INTERVAL_MS;
    if (every > 0) {
      // A first run soon after start, so the gauges mean something before the first period ends.
      this.first = setTimeout(() => void this.runScheduled(), Math.min(every, 30_000));
      this.timer = setInterval(() => void this.runScheduled(), every);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.first);
    await this.running;
  }

  observe(report: SelfCheckReport): void {
    if (!this.registry.getSingleMetric('audit_self_check_ok')) {
      this.registry.registerMetric(this.ok);
      this.registry.registerMetric(this.firstBad);
    }
    this.ok.set(report.ok ? 1 : 0);
    this.firstBad.set(report.firstBadIndex ?? -1);
    if (!report.ok) this.logger.error({ msg: 'audit log self-check failed', firstBadIndex: report.firstBadIndex, problems: report.problems });
  }

  private async runScheduled(): Promise<void> {
    if (this.running) return;
    this.running = this.check.run().then((report) => this.observe(report), (error: Error) => this.logger.warn(`self-check could not run: ${error.message}`));
    await this.running;
    this.running = null;
  }
}
