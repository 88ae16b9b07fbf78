import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogConfig, PartitionLog } from './partition-log';
import { Syncer } from './syncer';

export interface Topic {
  readonly name: string;
  readonly partitions: PartitionLog[];
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export const isLegalTopicName = (name: string): boolean => LEGAL_TOPIC.test(name) && name !== '.' && name !== '..';

/**
 * Topics on disk: `<dataDir>/topics/<name>/topic.json` holds the partition count, and each
 * partition is a directory of segments, `<dataDir>/topics/<name>/<partition>/`.
 */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly config: LogConfig,
    private readonly syncer: Syncer,
    private readonly warn: (msg: string) => void,
  ) {
    this.root = path.join(dataDir, 'topics');
    fs.mkdirSync(this.root, { recursive: true });
    for (const name of fs.readdirSync(this.root)) this.load(name);
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  create(name: string, partitionCount: number): Topic {
    const dir = path.join(this.root, name);
    fs.mkdirSync(dir, { recursive: true });
    const partitions = Array.from({ length: partitionCount }, (_, p) => this.openPartition(dir, p));
    const tmp = path.join(dir, 'topic.json.tmp');
    fs.writeFileSync(tmp, JSON.stringify({ name, partitions: partitionCount }));
    fs.renameSync(tmp, path.join(dir, 'topic.json'));
    const topic = { name, partitions };
    this.topics.set(name, topic);
    return topic;
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name);
    if (!topic) return false;
    this.topics.delete(name);
    for (const p of topic.partitions) p.close();
    fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    return true;
  }

  applyRetention(now: number): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.applyRetention(now);
  }

  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.close();
    this.topics.clear();
  }

  private load(name: string): void {
    const dir = path.join(this.root, name);
    const metaPath = path.join(dir, 'topic.json');
    if (!isLegalTopicName(name) || !fs.existsSync(metaPath)) {
      this.warn(`ignoring ${dir}: not a topic directory`);
      return;
    }
    const { partitions } = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as { partitions: number };
    this.topics.set(name, {
      name,
      partitions: Array.from({ length: partitions }, (_, p) => this.openPartition(dir, p)),
    });
  }

  private openPartition(topicDir: string, partition: number): PartitionLog {
    return PartitionLog.open(path.join(topicDir, String(partition)), this.config, this.syncer, this.warn);
  }
}
