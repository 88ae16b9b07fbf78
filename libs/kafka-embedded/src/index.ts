export { startBroker } from './broker';
export type { EmbeddedBroker } from './broker';
export type { BrokerOptions, BrokerSecurity } from './options';
export { Authorizer } from './security/acl';
export type { AclBinding, AclOperation, Denial, PatternType, ResourceType } from './security/acl';
export type { BrokerMetrics } from './metrics';
export type { BrokerLogger } from './logger';
export type { FsyncPolicy } from './storage/syncer';
