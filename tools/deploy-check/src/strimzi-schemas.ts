import { z } from 'zod';
import type { KubeObject } from './manifests';

/**
 * Strimzi's KafkaTopic and KafkaUser (kafka.strimzi.io/v1beta2), written from the fields Strimzi
 * documents for them (the openAPIV3Schema of its CRDs, packaging/install/cluster-operator/
 * 043-Crd-kafkatopic.yaml and 044-Crd-kafkauser.yaml in strimzi/strimzi-kafka-operator).
 * Strict: a field Strimzi does not define is an error here, where the API server would drop it
 * silently and leave, say, an ACL that was meant to be there missing.
 */
const clusterLabel = 'strimzi.io/cluster';

const metadata = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).refine((labels) => Boolean(labels[clusterLabel]), {
    message: `needs the label ${clusterLabel} naming the Kafka cluster, or no operator picks it up`,
  }),
});

const kafkaTopic = z.strictObject({
  apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
  kind: z.literal('KafkaTopic'),
  metadata,
  spec: z.strictObject({
    topicName: z.string().optional(),
    partitions: z.number().int().min(1).optional(),
    replicas: z.number().int().min(1).max(32767).optional(),
    // Kafka's topic configuration: any keys, values as Kafka reads them.
    config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).optional(),
  }),
});

const operations = ['Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'ClusterAction', 'AlterConfigs', 'DescribeConfigs', 'IdempotentWrite', 'All'] as const;

const aclRule = z.strictObject({
  type: z.enum(['allow', 'deny']).optional(),
  resource: z.strictObject({
    type: z.enum(['topic', 'group', 'cluster', 'transactionalId']),
    name: z.string().optional(),
    patternType: z.enum(['literal', 'prefix']).optional(),
  }),
  host: z.string().optional(),
  operation: z.enum(operations).optional(),
  operations: z.array(z.enum(operations)).optional(),
});

const secretKeyRef = z.strictObject({ key: z.string().optional(), name: z.string().optional(), optional: z.boolean().optional() });

const kafkaUser = z.strictObject({
  apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
  kind: z.literal('KafkaUser'),
  metadata,
  spec: z.strictObject({
    authentication: z
      .strictObject({
        type: z.enum(['tls', 'tls-external', 'scram-sha-512']),
        password: z.strictObject({ valueFrom: z.strictObject({ secretKeyRef: secretKeyRef.optional() }) }).optional(),
      })
      .optional(),
    authorization: z.strictObject({ type: z.literal('simple'), acls: z.array(aclRule) }).optional(),
    quotas: z
      .strictObject({
        producerByteRate: z.number().int().min(0).optional(),
        consumerByteRate: z.number().int().min(0).optional(),
        requestPercentage: z.number().int().min(0).optional(),
        controllerMutationRate: z.number().min(0).optional(),
      })
      .optional(),
    template: z.unknown().optional(),
  }),
});

export const isStrimziObject = (object: KubeObject): boolean => object.apiVersion?.startsWith('kafka.strimzi.io/') ?? false;

export function validateStrimziObject(object: KubeObject): string[] {
  const schema = object.kind === 'KafkaTopic' ? kafkaTopic : object.kind === 'KafkaUser' ? kafkaUser : undefined;
  if (!schema) return [`${object.apiVersion} ${object.kind} is not a Strimzi kind this check knows (KafkaTopic, KafkaUser)`];
  const result = schema.safeParse(object);
  const problems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('/') || '(object)'}: ${issue.message}`);
  // An ACL needs something to allow; a rule naming no operation grants nothing.
  if (object.kind === 'KafkaUser') {
    const acls = (object.spec as { authorization?: { acls?: { operation?: string; operations?: string[] }[] } })?.authorization?.acls ?? [];
    acls.forEach((acl, i) => {
      if (!acl.operation && !acl.operations?.length) problems.push(`spec/authorization/acls/${i}: names no operation`);
    });
  }
  return problems;
}
