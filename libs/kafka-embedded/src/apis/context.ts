import { GroupCoordinator } from '../groups/coordinator';
import { BrokerLogger } from '../logger';
import { MetricsRegistry } from '../metrics';
import { Reader } from '../protocol/reader';
import { RequestHeader } from '../protocol/request-header';
import { Writer } from '../protocol/writer';
import { AclOperation, Authorizer, ResourceType } from '../security/acl';
import { ScramCredential, ScramExchange } from '../security/scram';
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
  /** SASL/SCRAM users and, when ACLs are configured, the authorizer; null = a PLAINTEXT listener */
  readonly security: { readonly credentials: ReadonlyMap<string, ScramCredential>; readonly authorizer: Authorizer | null } | null;
}

/** One connection's authentication state. */
export interface Session {
  /** the authenticated user (ANONYMOUS on a listener without SASL); null until SASL completes */
  principal: string | null;
  /** the SCRAM exchange between SaslHandshake and its last SaslAuthenticate */
  sasl: ScramExchange | null;
  /** set by a failed authentication: the answer is sent, then the connection closes (as Kafka does) */
  closeAfterReply: boolean;
}

export interface RequestContext {
  readonly header: RequestHeader;
  readonly clientHost: string;
  readonly session: Session;
}

/** Whether this request's principal may do `operation` on the resource (always, when ACLs are off). */
export function authorized(ctx: BrokerContext, req: RequestContext, operation: AclOperation, type: ResourceType, name?: string): boolean {
  const authorizer = ctx.security?.authorizer;
  return !authorizer || authorizer.allows(req.session.principal ?? '', operation, type, name);
}

/** Like authorized(), without logging a denial: for filtering lists. */
export function visible(ctx: BrokerContext, req: RequestContext, type: ResourceType, name: string): boolean {
  const authorizer = ctx.security?.authorizer;
  return !authorizer || authorizer.permits(req.session.principal ?? '', 'Describe', type, name);
}

/** The body of a response (without size and correlation id), or null when none is sent (acks=0). */
export type HandlerResult = Writer | null;

export interface ApiHandler {
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: BrokerContext, req: RequestContext, body: Reader): HandlerResult | Promise<HandlerResult>;
}
