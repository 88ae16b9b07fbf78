// The one place this lib's tests reach the test infrastructure.
export { eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
