import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKafkaManifests } from './kafka-manifests';
import { aclEntries, brokerSecurity, generateKafkaPasswords, KAFKA_ADMIN_USER } from './kafka-security';

describe('the Kafka objects of deploy/k8s', () => {
  const manifests = readKafkaManifests();

  it('name the three event topics and their dead-letter topics', () => {
    expect(manifests.topics.map((t) => t.name).sort()).toEqual(
      ['homeline.calls.v1', 'homeline.calls.v1.dlq', 'homeline.identity.v1', 'homeline.identity.v1.dlq', 'homeline.routing.v1', 'homeline.routing.v1.dlq'],
    );
  });

  it('give each service a SCRAM-SHA-512 user whose groups start with homeline-<service>', () => {
    expect(manifests.users.map((u) => [u.name, u.authentication]).sort()).toEqual(
      ['audit', 'calls', 'identity', 'routing'].map((s) => [`homeline-${s}`, 'scram-sha-512']),
    );
    for (const user of manifests.users) {
      expect(user.acls.filter((a) => a.resourceType === 'group')).toEqual([expect.objectContaining({ name: user.name, patternType: 'prefix', operations: ['Read', 'Describe'] })]);
    }
  });

  it('let only calls write the calls topic', () => {
    const writers = manifests.users.filter((u) => u.acls.some((a) => a.resourceType === 'topic' && a.name === 'homeline.calls.v1' && a.operations.includes('Write')));
    expect(writers.map((u) => u.name)).toEqual(['homeline-calls']);
  });

  it('become the embedded broker\'s users and ACLs, and Admin API entries for a real Kafka', () => {
    const passwords = generateKafkaPasswords(manifests);
    const security = brokerSecurity(passwords, manifests);
    expect(Object.keys(security.users).sort()).toEqual([KAFKA_ADMIN_USER, ...manifests.users.map((u) => u.name)].sort());
    expect(security.superUsers).toEqual([KAFKA_ADMIN_USER]);
    const entries = aclEntries(security.acls ?? []);
    expect(entries).toContainEqual(expect.objectContaining({ principal: 'User:homeline-routing', resourceName: 'homeline-routing', resourcePatternType: 4 }));
    expect(entries).toHaveLength(security.acls!.reduce((n, b) => n + b.operations.length, 0));
  });

  it('refuse an ACL they cannot read, rather than dropping it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifests-'));
    writeFileSync(join(dir, 'user.yaml'), 'kind: KafkaUser\nmetadata: { name: x }\nspec: { authorization: { acls: [ { resource: { type: topic, name: t }, operations: [Reed] } ] } }\n');
    expect(() => readKafkaManifests(dir)).toThrow(/user.yaml: KafkaUser x: ACL operations \["Reed"\]/);
  });
});
