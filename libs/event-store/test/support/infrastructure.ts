// The one place this lib's tests reach the test infrastructure.
export { createTopics, eventually, lockWaiters, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
export { databaseUrl, freePort, removeDataDir, startPostgresCluster, withClient, type PostgresCluster } from '@homeline/testing';
