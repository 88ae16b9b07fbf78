import { Inject, Injectable } from '@nestjs/common';
import { Compliance } from '../../application/compliance';
import { ProofError, Proofs } from '../../application/proofs';
import { SelfCheck, type SelfCheckReport } from '../../application/self-check';
import type { AuditStore } from '../../application/ports';
import { AUDIT_STORE } from '../tokens';
import { SelfCheckMonitor } from '../self-check.monitor';

/** What the controller needs beyond the use cases: the latest note and the export's lines. */
@Injectable()
export class AuditApi {
  constructor(
    @Inject(AUDIT_STORE) private readonly store: AuditStore,
    readonly compliance: Compliance,
    readonly proofs: Proofs,
    private readonly checker: SelfCheck,
    private readonly monitor: SelfCheckMonitor,
  ) {}

  async latestNote(): Promise<string> {
    const checkpoint = await this.store.latestCheckpoint();
    if (!checkpoint) throw new ProofError('no_checkpoint', 'the log has not signed a checkpoint yet');
    return checkpoint.note;
  }

  async exportRange(from = 0, to?: number): Promise<{ from: number; to: number }> {
    const latest = await this.store.latestCheckpoint();
    const size = latest?.size ?? 0;
    const end = to ?? size;
    if (end > size) throw new ProofError('tree_size_too_large', `the latest checkpoint covers ${size} entries; cannot export up to ${end}`);
    if (from > end) throw new ProofError('invalid_range', `from (${from}) is larger than to (${end})`);
    return { from, to: end };
  }

  /**
   * `{"index":i,"leaf":"<base64>","entry":<the leaf itself>}`: the entry is the leaf's canonical
   * JSON written as is, so a line is valid JSON and its entry is byte for byte what was hashed.
   */
  async *exportLines(from: number, to: number): AsyncIterable<string> {
    for await (const page of this.store.leaves(from, to, 2000)) {
      yield page.map((r) => `{"index":${r.index},"leaf":"${r.leaf.toString('base64')}","entry":${r.leaf.toString('utf8')}}\n`).join('');
    }
  }

  async selfCheck(): Promise<SelfCheckReport> {
    const report = await this.checker.run();
    this.monitor.observe(report);
    return report;
  }
}
