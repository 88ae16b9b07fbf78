import * as fs from 'node:fs';
import * as path from 'node:path';
import { Syncer } from './syncer';

export interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string | null;
}

interface OffsetLine {
  g: string;
  t: string;
  p: number;
  o: number;
  m: string | null;
}

/**
 * Committed group offsets: an append-only file of JSON lines (the last line for a key wins),
 * compacted on open. Negative offsets are stored as given: kafkajs commits -1/-2 on purpose.
 */
export class OffsetStore {
  private readonly offsets = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private readonly file: string;
  private fd: number;

  constructor(
    dataDir: string,
    private readonly syncer: Syncer,
  ) {
    this.file = path.join(dataDir, 'consumer-offsets.jsonl');
    if (fs.existsSync(this.file)) this.replay(fs.readFileSync(this.file, 'utf8'));
    this.compact();
    this.fd = fs.openSync(this.file, 'a');
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(group)?.get(topic)?.get(partition);
  }

  /** Every committed partition of a group, by topic. */
  forGroup(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.offsets.get(group) ?? new Map();
  }

  groups(): string[] {
    return [...this.offsets.keys()];
  }

  commit(group: string, entries: readonly { topic: string; partition: number; offset: number; metadata: string | null }[]): void {
    if (entries.length === 0) return;
    const lines = entries.map((e) => {
      this.set({ g: group, t: e.topic, p: e.partition, o: e.offset, m: e.metadata });
      return JSON.stringify({ g: group, t: e.topic, p: e.partition, o: e.offset, m: e.metadata });
    });
    fs.writeSync(this.fd, lines.join('\n') + '\n');
    this.syncer.markDirty(this.fd);
  }

  /** Drops a deleted topic's offsets; a tombstone line keeps them dropped across a restart. */
  forgetTopic(topic: string): void {
    this.drop(topic);
    fs.writeSync(this.fd, JSON.stringify({ deletedTopic: topic }) + '\n');
    this.syncer.markDirty(this.fd);
  }

  private drop(topic: string): void {
    for (const byTopic of this.offsets.values()) byTopic.delete(topic);
  }

  close(): void {
    this.syncer.forget(this.fd);
    fs.closeSync(this.fd);
  }

  private set(line: OffsetLine): void {
    let byTopic = this.offsets.get(line.g);
    if (!byTopic) this.offsets.set(line.g, (byTopic = new Map()));
    let byPartition = byTopic.get(line.t);
    if (!byPartition) byTopic.set(line.t, (byPartition = new Map()));
    byPartition.set(line.p, { offset: line.o, metadata: line.m });
  }

  private replay(text: string): void {
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      try {
        const line = JSON.parse(raw) as OffsetLine | { deletedTopic: string };
        if ('deletedTopic' in line) this.drop(line.deletedTopic);
        else this.set(line);
      } catch {
        // a line torn by a crash mid-write: everything before it is intact
      }
    }
  }

  private compact(): void {
    const lines: string[] = [];
    for (const [g, byTopic] of this.offsets)
      for (const [t, byPartition] of byTopic)
        for (const [p, c] of byPartition) lines.push(JSON.stringify({ g, t, p, o: c.offset, m: c.metadata }));
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, lines.length ? lines.join('\n') + '\n' : '');
    const fd = fs.openSync(tmp, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
  }
}
