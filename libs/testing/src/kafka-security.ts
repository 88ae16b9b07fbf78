import { randomBytes } from 'node:crypto';
import type { AclBinding, BrokerSecurity } from '@homeline/kafka-embedded';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry, type Kafka } from 'kafkajs';
import { readKafkaManifests, type KafkaManifests } from './kafka-manifests';

/**
 * Kafka security as production has it: every service a SCRAM-SHA-512 user named after its
 * Strimzi KafkaUser (`homeline-<service>`), with exactly that KafkaUser's ACLs, read from
 * deploy/k8s (one definition). The admin is a super user for tooling and tests, as Strimzi's
 * own operators are; no service runs as it.
 */
export const KAFKA_ADMIN_USER = 'homeline-admin';

export const kafkaUserOf = (service: string): string => `homeline-${service}`;

/** user name -> password, for every KafkaUser in the manifests and the admin. */
export type KafkaPasswords = Readonly<Record<string, string>>;

export function generateKafkaPasswords(manifests: KafkaManifests = readKafkaManifests()): KafkaPasswords {
  const users = [KAFKA_ADMIN_USER, ...manifests.users.map((u) => u.name)];
  return Object.fromEntries(users.map((user) => [user, randomBytes(24).toString('base64url')]));
}

/** What the embedded broker needs to enforce the manifests: users, their ACLs, the admin as super user. */
export function brokerSecurity(passwords: KafkaPasswords, manifests: KafkaManifests = readKafkaManifests()): BrokerSecurity {
  const missing = manifests.users.map((u) => u.name).filter((u) => !passwords[u]);
  if (missing.length > 0) throw new Error(`no password for the Kafka users ${missing.join(', ')}`);
  return { users: passwords, acls: manifests.users.flatMap((u) => u.acls), superUsers: [KAFKA_ADMIN_USER] };
}

/** The services' environment for a user: what Strimzi's KafkaUser secret gives a pod. */
export const saslEnv = (user: string, passwords: KafkaPasswords): Record<string, string> => ({
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: user,
  KAFKA_SASL_PASSWORD: passwords[user],
});

const resourceType = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP, cluster: AclResourceTypes.CLUSTER } as const;
const operation = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
  Describe: AclOperationTypes.DESCRIBE,
  IdempotentWrite: AclOperationTypes.IDEMPOTENT_WRITE,
  All: AclOperationTypes.ALL,
} as const;

/** The manifests' ACLs as Kafka Admin API entries, for a real Kafka (CreateAcls). */
export const aclEntries = (bindings: readonly AclBinding[]): AclEntry[] =>
  bindings.flatMap((b) =>
    b.operations.map((op) => ({
      resourceType: resourceType[b.resourceType],
      resourceName: b.resourceType === 'cluster' ? 'kafka-cluster' : b.name,
      resourcePatternType: b.patternType === 'prefix' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      principal: `User:${b.principal}`,
      host: '*',
      operation: operation[op],
      permissionType: b.permission === 'deny' ? AclPermissionTypes.DENY : AclPermissionTypes.ALLOW,
    })),
  );

/** Replaces every ACL of a real Kafka with the manifests' ones. */
export async function applyAcls(kafka: Kafka, manifests: KafkaManifests = readKafkaManifests()): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const any = {
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    };
    await admin.deleteAcls({ filters: [any] });
    await admin.createAcls({ acl: aclEntries(manifests.users.flatMap((u) => u.acls)) });
  } finally {
    await admin.disconnect();
  }
}
