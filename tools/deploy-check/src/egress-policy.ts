import type { KubeObject } from './manifests';

/**
 * The addresses a service is configured to reach inside the cluster (its Kafka brokers, its OTLP
 * collector) must be allowed by the egress rules of the network policies that select its pods:
 * otherwise the pods start and then cannot connect (Kafka), or lose every span without a word
 * (the exporter only logs at debug). A host `name.namespace.svc[.cluster.local]` is reached in
 * that namespace; other hosts (outside the cluster) are not checked.
 */
interface Env { name: string; value?: string }
interface Deployment { spec: { template: { metadata?: { labels?: Record<string, string> }; spec: { containers: { env?: Env[] }[] } } } }
interface EgressRule { to?: { namespaceSelector?: { matchLabels?: Record<string, string> } }[]; ports?: { port?: number | string }[] }
interface Policy { spec: { podSelector?: { matchLabels?: Record<string, string> }; policyTypes?: string[]; egress?: EgressRule[] } }

interface Target { readonly what: string; readonly namespace: string; readonly port: number }

const namespaceOf = (host: string): string | undefined => /^[^.]+\.([^.]+)\.svc(\.cluster\.local)?$/.exec(host)?.[1];

function targetsOf(env: readonly Env[]): Target[] {
  const value = (name: string) => env.find((e) => e.name === name)?.value;
  const targets: Target[] = [];
  for (const broker of value('KAFKA_BROKERS')?.split(',') ?? []) {
    const [host, port] = broker.trim().split(':');
    const namespace = namespaceOf(host);
    if (namespace) targets.push({ what: `Kafka broker ${broker.trim()}`, namespace, port: Number(port) });
  }
  const otlp = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlp && value('OTEL_TRACES_EXPORTER') === 'otlp') {
    const url = new URL(otlp);
    const namespace = namespaceOf(url.hostname);
    if (namespace) targets.push({ what: `OTLP collector ${otlp}`, namespace, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) });
  }
  return targets;
}

const allows = (rule: EgressRule, target: Target): boolean =>
  (!rule.to || rule.to.some((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === target.namespace)) &&
  (!rule.ports || rule.ports.some((p) => p.port === target.port));

export function checkEgress(objects: readonly KubeObject[]): { object: KubeObject; problem: string }[] {
  const problems: { object: KubeObject; problem: string }[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as (KubeObject & Policy)[];
  for (const object of objects.filter((o) => o.kind === 'Deployment')) {
    const { template } = (object as unknown as Deployment).spec;
    const labels = template.metadata?.labels ?? {};
    const governing = policies.filter(
      (p) => p.metadata.namespace === object.metadata.namespace && p.spec.policyTypes?.includes('Egress') &&
        Object.entries(p.spec.podSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
    );
    if (governing.length === 0) continue; // no egress policy: everything is allowed
    for (const target of template.spec.containers.flatMap((c) => targetsOf(c.env ?? []))) {
      if (!governing.some((p) => (p.spec.egress ?? []).some((rule) => allows(rule, target)))) {
        problems.push({ object, problem: `its network policy does not let it reach the ${target.what} (namespace ${target.namespace}, port ${target.port})` });
      }
    }
  }
  return problems;
}
