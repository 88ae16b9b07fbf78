import { AclBinding, Authorizer, Denial } from './acl';

const bindings: AclBinding[] = [
  { principal: 'calls', resourceType: 'topic', name: 'homeline.calls.v1', patternType: 'literal', operations: ['Write', 'Describe'] },
  { principal: 'calls', resourceType: 'group', name: 'homeline-calls', patternType: 'prefix', operations: ['Read'] },
  { principal: 'calls', resourceType: 'topic', name: 'homeline.', patternType: 'prefix', operations: ['Read'] },
  { principal: 'calls', resourceType: 'topic', name: 'homeline.secret', patternType: 'literal', operations: ['All'], permission: 'deny' },
  { principal: '*', resourceType: 'topic', name: 'public', patternType: 'literal', operations: ['Read'] },
  { principal: 'ops', resourceType: 'cluster', name: '', patternType: 'literal', operations: ['IdempotentWrite'] },
];

describe('the ACL authorizer', () => {
  const denials: Denial[] = [];
  const authorizer = new Authorizer(bindings, new Set(['admin']), (d) => denials.push(d));

  it('allows what a literal binding names, and nothing else on other resources', () => {
    expect(authorizer.allows('calls', 'Write', 'topic', 'homeline.calls.v1')).toBe(true);
    expect(authorizer.allows('calls', 'Write', 'topic', 'homeline.identity.v1')).toBe(false);
    expect(authorizer.allows('identity', 'Write', 'topic', 'homeline.calls.v1')).toBe(false);
  });

  it('matches prefixed bindings by the start of the name', () => {
    expect(authorizer.allows('calls', 'Read', 'group', 'homeline-calls')).toBe(true);
    expect(authorizer.allows('calls', 'Read', 'group', 'homeline-calls.retry')).toBe(true);
    expect(authorizer.allows('calls', 'Read', 'group', 'routing.calls')).toBe(false);
  });

  it('lets Read imply Describe, but not Write imply Read', () => {
    expect(authorizer.allows('calls', 'Describe', 'group', 'homeline-calls')).toBe(true);
    expect(authorizer.allows('calls', 'Read', 'topic', 'homeline.calls.v1')).toBe(true); // from the prefix binding
    expect(authorizer.allows('calls', 'Create', 'topic', 'homeline.calls.v1')).toBe(false);
  });

  it('lets a deny win over any allow', () => {
    expect(authorizer.allows('calls', 'Read', 'topic', 'homeline.secret')).toBe(false);
  });

  it('applies wildcard principals to every user, and lets super users do anything', () => {
    expect(authorizer.allows('anyone', 'Read', 'topic', 'public')).toBe(true);
    expect(authorizer.allows('admin', 'Delete', 'topic', 'homeline.calls.v1')).toBe(true);
  });

  it('records each denial with its principal, operation and resource', () => {
    denials.length = 0;
    authorizer.allows('identity', 'Write', 'topic', 'homeline.calls.v1');
    expect(denials).toEqual([{ principal: 'identity', operation: 'Write', resourceType: 'topic', name: 'homeline.calls.v1' }]);
  });

  it('knows whether a user may write to some topic (what an idempotent producer needs)', () => {
    expect(authorizer.allowsSome('calls', 'Write', 'topic')).toBe(true);
    expect(authorizer.allowsSome('ops', 'Write', 'topic')).toBe(false);
    expect(authorizer.permits('ops', 'IdempotentWrite', 'cluster', 'kafka-cluster')).toBe(true);
  });
});
