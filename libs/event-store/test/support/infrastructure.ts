// The one place this lib's tests reach the test infrastructure.
export { createTopics, eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
