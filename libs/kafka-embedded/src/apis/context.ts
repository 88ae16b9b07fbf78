import { GroupCoordinator } from '../groups/coordinator';
import { BrokerLogger } from '../logger';
import { MetricsRegistry } from '../metrics';
import { Reader } from '../protocol/reader';
import { RequestHeader } from '../protocol/request-header';
import { Writer } from '../protocol/writer';
import { OffsetStore } from '../storage/offset-store';
import { ProducerIdAllocator } from '../storage/producer-ids';
import { Syncer } from '../storage/syncer';
import { TopicStore } from '../storage/topic-store';

/** Everything an API handler may touch. */
export interface BrokerContext {
  readonly nodeId: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly clusterId: string;
  readonly defaultPartitions: number;
  readonly autoCreateTopics: boolean;
  readonly topics: TopicStore;
  readonly offsets: OffsetStore;
  readonly groups: GroupCoordinator;
  readonly producerIds: ProducerIdAllocator;
  readonly syncer: Syncer;
  readonly metrics: MetricsRegistry;
  readonly logger: BrokerLogger;
  /** aborted when the broker stops: parked fetches return at once */
  readonly stopping: AbortSignal;
}

export interface RequestContext {
  readonly header: RequestHeader;
  readonly clientHost: string;
}

/** The body of a response (without size and correlation id), or null when none is sent (acks=0). */
export type HandlerResult = Writer | null;

export interface ApiHandler {
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: BrokerContext, req: RequestContext, body: Reader): HandlerResult | Promise<HandlerResult>;
}
