// The one place this lib's tests reach the test infrastructure. The workspace's module-boundary
// rule does not yet let type:infra tests depend on type:testing (see the branch's report).
export { eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
