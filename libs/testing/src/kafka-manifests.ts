import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AclBinding, AclOperation, ResourceType } from '@homeline/kafka-embedded';
import { parseAllDocuments } from 'yaml';

/** The one definition of Homeline's topics and Kafka users: the Strimzi objects in deploy/k8s. */
export const deployDir = resolve(__dirname, '..', '..', '..', 'deploy', 'k8s');

export interface TopicManifest {
  readonly name: string;
  /** production's count; dev and CI create 3 (docs/architecture.md section 3) */
  readonly partitions: number;
}

export interface KafkaUserManifest {
  /** the Strimzi KafkaUser name, which is the SCRAM user name */
  readonly name: string;
  readonly authentication: string;
  readonly acls: readonly AclBinding[];
}

export interface KafkaManifests {
  readonly topics: readonly TopicManifest[];
  readonly users: readonly KafkaUserManifest[];
}

interface StrimziAcl {
  resource?: { type?: string; name?: string; patternType?: string };
  operations?: string[];
  operation?: string;
  type?: string;
}

const resourceTypes: readonly ResourceType[] = ['topic', 'group', 'cluster'];
const operations: readonly AclOperation[] = ['Read', 'Write', 'Create', 'Delete', 'Describe', 'IdempotentWrite', 'All'];

/** Every KafkaTopic and KafkaUser under `dir`; an ACL this code does not understand is an error, not a silent gap. */
export function readKafkaManifests(dir = deployDir): KafkaManifests {
  const objects = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => ({ file: f, object: d.toJS() as Record<string, any> | null }))); // eslint-disable-line @typescript-eslint/no-explicit-any
  const topics: TopicManifest[] = [];
  const users: KafkaUserManifest[] = [];
  for (const { file, object } of objects) {
    if (object?.kind === 'KafkaTopic') topics.push({ name: object.metadata.name, partitions: object.spec?.partitions ?? 1 });
    if (object?.kind === 'KafkaUser') {
      const name: string = object.metadata.name;
      const acls = ((object.spec?.authorization?.acls ?? []) as StrimziAcl[]).map((acl) => toBinding(name, acl, file));
      users.push({ name, authentication: object.spec?.authentication?.type ?? 'none', acls });
    }
  }
  return { topics, users };
}

function toBinding(user: string, acl: StrimziAcl, file: string): AclBinding {
  const where = `${file}: KafkaUser ${user}`;
  const type = acl.resource?.type as ResourceType;
  if (!resourceTypes.includes(type)) throw new Error(`${where}: ACL resource type '${acl.resource?.type}' is not one of ${resourceTypes.join(', ')}`);
  const ops = (acl.operations ?? (acl.operation ? [acl.operation] : [])) as AclOperation[];
  const unknown = ops.filter((op) => !operations.includes(op));
  if (ops.length === 0 || unknown.length > 0) throw new Error(`${where}: ACL operations ${JSON.stringify(acl.operations)} (known: ${operations.join(', ')})`);
  const patternType = acl.resource?.patternType ?? 'literal';
  if (patternType !== 'literal' && patternType !== 'prefix') throw new Error(`${where}: ACL patternType '${patternType}'`);
  return {
    principal: user,
    resourceType: type,
    name: type === 'cluster' ? 'kafka-cluster' : (acl.resource?.name ?? ''),
    patternType,
    operations: ops,
    permission: acl.type === 'deny' ? 'deny' : 'allow',
  };
}

/** The topics as dev and CI create them: every manifest topic, with 3 partitions. */
export const devTopics = (manifests = readKafkaManifests()): readonly string[] => manifests.topics.map((t) => t.name);
