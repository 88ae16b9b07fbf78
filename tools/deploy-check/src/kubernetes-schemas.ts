import type { KubeObject } from './manifests';

/**
 * Validates a core Kubernetes object against the API's OpenAPI schema, as compiled into the
 * `kubernetes-models` package (one model class per apiVersion and kind): required fields, types,
 * enums and formats. Not covered by those schemas, so checked here: object names (the API
 * server's DNS rules). Unknown fields are not reported (the schemas allow them).
 */
export function validateCoreObject(object: KubeObject): string[] {
  const Model = modelOf(object.apiVersion, object.kind);
  if (!Model) return [`${object.apiVersion} ${object.kind} is not a Kubernetes API kind this check knows`];
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(...String((error as Error).message).split(', ').map((p) => p.replace(/^data\//, '').replace(/^data /, '')));
  }
  const name = object.metadata?.name ?? '';
  const rule = object.kind === 'Service' || object.kind === 'Namespace' ? dnsLabel : dnsSubdomain;
  if (!rule.pattern.test(name) || name.length > rule.max) problems.push(`metadata/name "${name}" is not a valid ${rule.what}`);
  return problems;
}

type Model = new (data: unknown) => { validate(): void };

function modelOf(apiVersion: string, kind: string): Model | undefined {
  // kubernetes-models lays its classes out by group and version: kubernetes-models/apps/v1, .../v1.
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const models = require(`kubernetes-models/${apiVersion}`) as Record<string, Model | undefined>;
    return models[kind];
  } catch {
    return undefined;
  }
}

const dnsLabel = { pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/, max: 63, what: 'DNS-1035 label (a Service or Namespace name)' };
const dnsSubdomain = { pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, max: 253, what: 'DNS-1123 subdomain' };
