export { startTestPostgres, databaseUrl } from './postgres';
export type { TestPostgres, StartTestPostgresOptions } from './postgres';
export { freePort } from './free-port';
export { eventually } from './eventually';
export { startTestKafka } from './kafka';
export type { TestKafka } from './kafka';
export { deciderSpecification, type Decider as SpecifiedDecider } from './decider-specification';
