export { startBroker } from './broker';
export type { EmbeddedBroker } from './broker';
export type { BrokerOptions } from './options';
export type { BrokerMetrics } from './metrics';
export type { BrokerLogger } from './logger';
export type { FsyncPolicy } from './storage/syncer';
