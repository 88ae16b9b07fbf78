import type { KubeObject } from './manifests';

/**
 * What Homeline's own deploy promises (README "Deploying it"), and references between objects,
 * which no schema sees: each Deployment runs a pinned image, hardened (non-root, read-only root filesystem, no
 * privilege escalation, no capabilities, a writable /tmp), applies migrations in an init container
 * that has the service's configuration, and starts its service with them skipped; its replicas are
 * spread over nodes, and a disruption budget bounds how many of them a drain takes at any scale;
 * Services, autoscalers, disruption budgets and network policies point at pods and ports that exist.
 */
interface Port { name?: string; containerPort?: number }
interface Probe { httpGet?: { port?: string | number } }
interface Container {
  name: string;
  image?: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: unknown[];
  ports?: Port[];
  securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe;
  resources?: { requests?: Record<string, unknown> };
}
interface SpreadConstraint { topologyKey?: string; whenUnsatisfiable?: string; labelSelector?: { matchLabels?: Record<string, string> } }
interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; emptyDir?: unknown; secret?: unknown }[];
  topologySpreadConstraints?: SpreadConstraint[];
}
interface DeploymentSpec { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }

/** The fields of Services, autoscalers, budgets and network policies that point at pods. */
interface Pointers {
  selector?: Record<string, string> & { matchLabels?: Record<string, string> };
  ports?: { targetPort?: string | number }[];
  scaleTargetRef?: { kind?: string; name?: string };
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  podSelector?: { matchLabels?: Record<string, string> };
  ingress?: { ports?: { port?: string | number }[] }[];
}

type Problem = { readonly object: KubeObject; readonly problem: string };

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  Boolean(selector && Object.keys(selector).length) && Object.entries(selector!).every(([k, v]) => labels?.[k] === v);
const envOf = (container: Container, name: string) => container.env?.find((e) => e.name === name)?.value;

/** Where every container finds the database server's CA, for `sslrootcert=` in DATABASE_URL. */
const postgresCaDir = '/etc/homeline/postgres-ca';

/** What only the service's own container sets: the migrate container applies the schema and exits. */
const serviceOnly = new Set(['MIGRATIONS', 'HTTP_PORT']);

/**
 * The migrate container builds the same application, whose configuration check wants the same
 * variables: each the service container sets (from a value, a Secret or a ConfigMap), but its own
 * few, must be set the same way there, and each envFrom source must be there too.
 */
const environmentGaps = (service: Container, migrator: Container): string[] => {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const gaps = (service.env ?? [])
    .filter((v) => !serviceOnly.has(v.name) && !(migrator.env ?? []).some((m) => m.name === v.name && same(m.value, v.value) && same(m.valueFrom, v.valueFrom)))
    .map((v) => `container ${migrator.name}: ${v.name} is not set as container ${service.name} sets it (the migration builds the same application and checks the same configuration)`);
  for (const source of service.envFrom ?? []) {
    if (!(migrator.envFrom ?? []).some((m) => same(m, source))) gaps.push(`container ${migrator.name}: envFrom ${JSON.stringify(source)} of container ${service.name} is missing`);
  }
  return gaps;
};

export function checkDeployPolicies(objects: readonly KubeObject[]): Problem[] {
  const problems: Problem[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const podsOf = (selector: Record<string, string> | undefined) =>
    deployments.filter((d) => matches(selector, (d.spec as DeploymentSpec).template.metadata?.labels));
  const portNames = (d: KubeObject) => (d.spec as DeploymentSpec).template.spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.name);

  for (const deployment of deployments) {
    const spec = deployment.spec as DeploymentSpec;
    const say = (problem: string) => problems.push({ object: deployment, problem });
    if (!matches(spec.selector?.matchLabels, spec.template.metadata?.labels)) say('spec.selector does not match the pod template labels');
    const pod = spec.template.spec;
    // Kubernetes mounts the namespace's default service account token unless told not to; nothing here calls its API.
    if (pod.automountServiceAccountToken !== false) say('automountServiceAccountToken is not false: every container would hold a token for the Kubernetes API, which no service calls');
    const emptyDirs = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      const where = `container ${container.name}`;
      if (!container.image || !/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(container.image) || container.image.endsWith(':latest')) {
        say(`${where}: image "${container.image}" is not pinned to a tag or digest (set one in the kustomization's images)`);
      }
      const sc = container.securityContext ?? {};
      if (!(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) say(`${where}: runAsNonRoot is not true`);
      if (sc.readOnlyRootFilesystem !== true) say(`${where}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false) say(`${where}: allowPrivilegeEscalation is not false`);
      if (!sc.capabilities?.drop?.includes('ALL')) say(`${where}: capabilities.drop does not include ALL`);
      const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
      if (!tmp || !emptyDirs.has(tmp.name)) say(`${where}: /tmp is not a writable emptyDir (the root filesystem is read-only)`);
      if (!container.resources?.requests) say(`${where}: no resource requests (the autoscaler needs them)`);
      // Strimzi's brokers present certificates of its own cluster CA, which Node does not trust unless told.
      const ca = envOf(container, 'NODE_EXTRA_CA_CERTS');
      if (envOf(container, 'KAFKA_TLS') === 'true') {
        const mounted = container.volumeMounts?.some((m) => ca?.startsWith(`${m.mountPath}/`) && pod.volumes?.some((v) => v.name === m.name && v.secret));
        if (!mounted) say(`${where}: KAFKA_TLS is true but NODE_EXTRA_CA_CERTS names no file of a mounted Secret (the Kafka cluster's CA): TLS to the brokers would fail`);
      }
      // Nor a managed PostgreSQL's: DATABASE_URL's sslrootcert names a file of this Secret (README "Deploying it").
      const databaseCa = container.volumeMounts?.some((m) => m.mountPath === postgresCaDir && pod.volumes?.some((v) => v.name === m.name && v.secret));
      if (!databaseCa) say(`${where}: no Secret volume at ${postgresCaDir}: DATABASE_URL's sslrootcert could not name the database server's CA (README "Deploying it")`);
      const names = new Set((container.ports ?? []).map((p) => p.name));
      for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
        const port = probe?.httpGet?.port;
        if (typeof port === 'string' && !names.has(port)) say(`${where}: a probe uses port "${port}", which the container does not name`);
      }
    }
    // The scheduler's own spreading only prefers other nodes: replicas that share one fail with it.
    const spread = (pod.topologySpreadConstraints ?? []).some(
      (c) => c.topologyKey === 'kubernetes.io/hostname' && c.whenUnsatisfiable === 'DoNotSchedule' && matches(c.labelSelector?.matchLabels, spec.template.metadata?.labels),
    );
    if (!spread) say('no topologySpreadConstraints over kubernetes.io/hostname that selects its own pods (DoNotSchedule): its replicas may share a node and fail with it');
    const migrators = (pod.initContainers ?? []).filter((c) => envOf(c, 'MIGRATIONS') === 'only');
    if (migrators.length !== 1) say('needs one init container with MIGRATIONS=only, which applies the schema before the service starts');
    else for (const gap of environmentGaps(pod.containers[0], migrators[0])) say(gap);
    for (const container of pod.containers) {
      if (envOf(container, 'MIGRATIONS') !== 'skip') say(`container ${container.name}: MIGRATIONS is not skip (the init container applies them)`);
    }
  }

  for (const object of objects) {
    const say = (problem: string) => problems.push({ object, problem });
    const spec = (object.spec ?? {}) as Pointers;
    if (object.kind === 'Service') {
      const targets = podsOf(spec.selector);
      if (targets.length === 0) say('its selector matches no Deployment');
      for (const { targetPort } of spec.ports ?? []) {
        if (typeof targetPort === 'string' && !targets.every((d) => portNames(d).includes(targetPort))) say(`targetPort "${targetPort}" is not a port its pods name`);
      }
    }
    if (object.kind === 'HorizontalPodAutoscaler') {
      const ref = spec.scaleTargetRef;
      const target = deployments.find((d) => ref?.kind === 'Deployment' && d.metadata.name === ref.name && d.metadata.namespace === object.metadata.namespace);
      if (!target) say(`scales ${ref?.kind} ${ref?.name}, which is not in the manifests`);
      else if ((target.spec as DeploymentSpec).replicas !== undefined) {
        problems.push({ object: target, problem: `sets spec.replicas, which its autoscaler owns: every apply would reset a scaled-up ${target.metadata.name} to ${(target.spec as DeploymentSpec).replicas}` });
      }
    }
    if (object.kind === 'PodDisruptionBudget') {
      const targets = podsOf(spec.selector?.matchLabels);
      if (targets.length === 0) say('its selector matches no Deployment');
      // A floor in pods stays where it is while the autoscaler adds them: a drain may take all the rest.
      const autoscaled = objects.filter(
        (h) => h.kind === 'HorizontalPodAutoscaler' && targets.some((d) => (h.spec as Pointers).scaleTargetRef?.name === d.metadata.name && h.metadata.namespace === d.metadata.namespace),
      );
      const most = Math.max(0, ...autoscaled.map((h) => Number((h.spec as { maxReplicas?: number }).maxReplicas ?? 0)));
      if (autoscaled.length > 0 && typeof spec.minAvailable === 'number') {
        say(`sets minAvailable for pods an autoscaler scales up to ${most}: a drain may evict all but ${spec.minAvailable} of them at once (use maxUnavailable)`);
      }
    }
    if (object.kind === 'NetworkPolicy') {
      const targets = podsOf(spec.podSelector?.matchLabels);
      if (targets.length === 0) say('its podSelector matches no Deployment');
      for (const rule of spec.ingress ?? []) {
        for (const { port } of rule.ports ?? []) if (typeof port === 'string' && !targets.every((d) => portNames(d).includes(port))) say(`allows port "${port}", which its pods do not name`);
      }
    }
  }
  return problems;
}
