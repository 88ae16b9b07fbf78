export { startTestPostgres, databaseUrl } from './postgres';
export type { TestPostgres, StartTestPostgresOptions } from './postgres';
export { embeddedServerSettings } from './embedded-server';
export { freePort } from './free-port';
export { eventually } from './eventually';
export { deciderSpecification, type Decider as SpecifiedDecider } from './decider-specification';
export { startTestKafka } from './kafka';
export type { TestKafka } from './kafka';
