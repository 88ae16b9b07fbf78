import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkManifests } from '../src/check';
import { renderKustomization, type KubeObject } from '../src/manifests';

/** `npm run deploy:check` as a test: deploy/k8s as kustomize builds it, and what the check catches. */
const deployDir = join(__dirname, '..', '..', '..', 'deploy', 'k8s');
const rendered = renderKustomization(deployDir);

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const problemsAfter = (kind: string, name: string, change: (object: Mutable) => void): readonly string[] => {
  const objects = structuredClone(rendered) as Mutable[];
  change(objects.find((o) => o.kind === kind && o.metadata.name === name)!);
  return checkManifests(objects as KubeObject[]).problems;
};

describe('the deploy in deploy/k8s', () => {
  it('builds, and every object is valid', () => {
    const { kinds, problems } = checkManifests(rendered);
    expect(problems).toEqual([]);
    expect(kinds).toEqual({
      Namespace: 1, Deployment: 4, Service: 4, HorizontalPodAutoscaler: 4, PodDisruptionBudget: 4, NetworkPolicy: 4, KafkaTopic: 6, KafkaUser: 4, ConfigMap: 1,
    });
  });
});

describe('the deploy and its instructions (README "Deploying it") name the Strimzi cluster alike', () => {
  // Strimzi names what it makes after the Kafka cluster: <cluster>-kafka-bootstrap, <cluster>-cluster-ca-cert.
  const clusters = new Set(rendered.filter((o) => o.apiVersion.startsWith('kafka.strimzi.io/')).map((o) => o.metadata.labels?.['strimzi.io/cluster']));
  const [cluster] = clusters;

  it('the bootstrap service the pods connect to', () => {
    expect(clusters.size).toBe(1);
    const brokers = rendered
      .filter((o) => o.kind === 'Deployment')
      .flatMap((d) => (d.spec as Mutable).template.spec.containers.concat((d.spec as Mutable).template.spec.initContainers ?? []))
      .map((c: Mutable) => c.env.find((e: { name: string }) => e.name === 'KAFKA_BROKERS')?.value as string);
    for (const list of brokers) for (const broker of list.split(',')) expect(broker).toMatch(new RegExp(`^${cluster}-kafka-bootstrap\\.`));
  });

  it("the Secret holding the cluster CA that the README copies into the pods' namespace", () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const copied = [...readme.matchAll(/kubectl -n \S+ get secret (\S+)/g)].map((m) => m[1]);
    expect(copied.length).toBeGreaterThan(0);
    for (const secret of copied) expect(secret).toBe(`${cluster}-cluster-ca-cert`);
  });
});

describe('the deploy check', () => {
  it('holds core objects to the Kubernetes schema', () => {
    expect(problemsAfter('Deployment', 'calls', (d) => (d.spec.replicas = 'two'))).toContain('Deployment homeline/calls: spec/replicas must be integer');
    expect(problemsAfter('Service', 'calls', (s) => (s.spec.ports[0].port = 'http'))).toContain('Service homeline/calls: spec/ports/0/port must be integer');
    expect(problemsAfter('Service', 'calls', (s) => (s.metadata.name = 'Calls_API'))).toContain(
      'Service homeline/Calls_API: metadata/name "Calls_API" is not a valid DNS-1035 label (a Service or Namespace name)',
    );
    expect(problemsAfter('Service', 'calls', (s) => (s.apiVersion = 'v2'))).toContain('Service homeline/calls: v2 Service is not a Kubernetes API kind this check knows');
  });

  it('holds KafkaTopic and KafkaUser to the fields Strimzi defines, strictly', () => {
    expect(problemsAfter('KafkaTopic', 'homeline.calls.v1', (t) => (t.spec.partitions = 0))).toEqual([
      'KafkaTopic homeline/homeline.calls.v1: spec/partitions: Too small: expected number to be >=1',
    ]);
    expect(problemsAfter('KafkaTopic', 'homeline.calls.v1', (t) => delete t.metadata.labels['strimzi.io/cluster'])).toEqual([
      'KafkaTopic homeline/homeline.calls.v1: metadata/labels: needs the label strimzi.io/cluster naming the Kafka cluster, or no operator picks it up',
    ]);
    const misspelt = problemsAfter('KafkaUser', 'homeline-calls', (u) => (u.spec.authorization.acls[0].operations = ['Wrtie']));
    expect(misspelt).toHaveLength(1);
    expect(misspelt[0]).toMatch(/^KafkaUser homeline\/homeline-calls: spec\/authorization\/acls\/0\/operations\/0: Invalid option/);
    expect(problemsAfter('KafkaUser', 'homeline-calls', (u) => (u.spec.authorization.acl = []))).toEqual([
      'KafkaUser homeline/homeline-calls: spec/authorization: Unrecognized key: "acl"',
    ]);
  });

  it('holds Deployments to the hardening, migrations and pinned image the deploy promises', () => {
    const main = (d: Mutable) => d.spec.template.spec.containers[0];
    expect(problemsAfter('Deployment', 'routing', (d) => (main(d).securityContext.readOnlyRootFilesystem = false))).toEqual([
      'Deployment homeline/routing: container routing: readOnlyRootFilesystem is not true',
    ]);
    expect(problemsAfter('Deployment', 'routing', (d) => (main(d).image = 'ghcr.io/homeline/homeline:latest'))).toEqual([
      'Deployment homeline/routing: container routing: image "ghcr.io/homeline/homeline:latest" is not pinned to a tag or digest (set one in the kustomization\'s images)',
    ]);
    expect(problemsAfter('Deployment', 'audit', (d) => delete d.spec.template.spec.initContainers)).toEqual([
      'Deployment homeline/audit: needs one init container with MIGRATIONS=only, which applies the schema before the service starts',
    ]);
    // The migrator's configuration check wants what the service's does: routing and audit pods never
    // started when their init containers lacked the carrier's and the audit's secrets.
    const migrator = (d: Mutable) => d.spec.template.spec.initContainers[0];
    expect(problemsAfter('Deployment', 'routing', (d) => {
      migrator(d).env = migrator(d).env.filter((v: { name: string }) => v.name !== 'CARRIER_API_SECRET');
    })).toEqual([
      'Deployment homeline/routing: container migrate: CARRIER_API_SECRET is not set as container routing sets it (the migration builds the same application and checks the same configuration)',
    ]);
    expect(problemsAfter('Deployment', 'routing', (d) => (migrator(d).envFrom = migrator(d).envFrom.slice(0, 1)))).toEqual([
      'Deployment homeline/routing: container migrate: envFrom {"configMapRef":{"name":"homeline-routing-carrier"}} of container routing is missing',
    ]);
    expect(problemsAfter('Deployment', 'audit', (d) => (main(d).volumeMounts = []))).toEqual([
      'Deployment homeline/audit: container audit: /tmp is not a writable emptyDir (the root filesystem is read-only)',
      'Deployment homeline/audit: container audit: KAFKA_TLS is true but NODE_EXTRA_CA_CERTS names no file of a mounted Secret (the Kafka cluster\'s CA): TLS to the brokers would fail',
      'Deployment homeline/audit: container audit: no Secret volume at /etc/homeline/postgres-ca: DATABASE_URL\'s sslrootcert could not name the database server\'s CA (README "Deploying it")',
    ]);
  });

  it('finds a replica count an autoscaler owns, and TLS to Kafka without its cluster CA', () => {
    expect(problemsAfter('Deployment', 'calls', (d) => (d.spec.replicas = 2))).toEqual([
      'Deployment homeline/calls: sets spec.replicas, which its autoscaler owns: every apply would reset a scaled-up calls to 2',
    ]);
    const withoutCa = (c: Mutable) => (c.env = c.env.filter((v: { name: string }) => v.name !== 'NODE_EXTRA_CA_CERTS'));
    expect(problemsAfter('Deployment', 'identity', (d) => withoutCa(d.spec.template.spec.containers[0]))).toEqual([
      'Deployment homeline/identity: container identity: KAFKA_TLS is true but NODE_EXTRA_CA_CERTS names no file of a mounted Secret (the Kafka cluster\'s CA): TLS to the brokers would fail',
    ]);
    expect(problemsAfter('Deployment', 'audit', (d) => (d.spec.template.spec.initContainers[0].volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }, { name: 'postgres-ca', mountPath: '/etc/homeline/postgres-ca' }]))).toEqual([
      'Deployment homeline/audit: container migrate: KAFKA_TLS is true but NODE_EXTRA_CA_CERTS names no file of a mounted Secret (the Kafka cluster\'s CA): TLS to the brokers would fail',
    ]);
  });

  it('finds a pod that is handed a Kubernetes API token it has no use for', () => {
    expect(problemsAfter('Deployment', 'routing', (d) => delete d.spec.template.spec.automountServiceAccountToken)).toEqual([
      'Deployment homeline/routing: automountServiceAccountToken is not false: every container would hold a token for the Kubernetes API, which no service calls',
    ]);
  });

  it("finds a container that cannot verify the managed PostgreSQL's certificate", () => {
    // A managed server's CA is in no public list, and NODE_EXTRA_CA_CERTS already names Kafka's: without
    // a mounted CA for sslrootcert, sslmode=require failed ("unable to verify the first certificate").
    expect(problemsAfter('Deployment', 'identity', (d) => (d.spec.template.spec.initContainers[0].volumeMounts = d.spec.template.spec.initContainers[0].volumeMounts.filter((m: Mutable) => m.name !== 'postgres-ca')))).toEqual([
      'Deployment homeline/identity: container migrate: no Secret volume at /etc/homeline/postgres-ca: DATABASE_URL\'s sslrootcert could not name the database server\'s CA (README "Deploying it")',
    ]);
  });

  it('finds replicas that one node, or one drain, can take all at once', () => {
    // Two replicas on one node go together when it fails; the scheduler's default spreading is a preference.
    expect(problemsAfter('Deployment', 'calls', (d) => delete d.spec.template.spec.topologySpreadConstraints)).toEqual([
      'Deployment homeline/calls: no topologySpreadConstraints over kubernetes.io/hostname that selects its own pods (DoNotSchedule): its replicas may share a node and fail with it',
    ]);
    expect(problemsAfter('Deployment', 'calls', (d) => (d.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable = 'ScheduleAnyway'))).toEqual([
      'Deployment homeline/calls: no topologySpreadConstraints over kubernetes.io/hostname that selects its own pods (DoNotSchedule): its replicas may share a node and fail with it',
    ]);
    // minAvailable: 1 of an autoscaled 12 lets a node drain evict 11 at once.
    expect(problemsAfter('PodDisruptionBudget', 'audit', (b) => {
      delete b.spec.maxUnavailable;
      b.spec.minAvailable = 1;
    })).toEqual([
      'PodDisruptionBudget homeline/audit: sets minAvailable for pods an autoscaler scales up to 12: a drain may evict all but 1 of them at once (use maxUnavailable)',
    ]);
  });

  it('finds references that lead nowhere', () => {
    expect(problemsAfter('Service', 'identity', (s) => (s.spec.ports[0].targetPort = 'web'))).toEqual([
      'Service homeline/identity: targetPort "web" is not a port its pods name',
    ]);
    expect(problemsAfter('HorizontalPodAutoscaler', 'identity', (h) => (h.spec.scaleTargetRef.name = 'identity-v2'))).toEqual([
      'HorizontalPodAutoscaler homeline/identity: scales Deployment identity-v2, which is not in the manifests',
    ]);
  });

  it('finds a Kafka broker or a trace collector the network policy does not let the pods reach', () => {
    const env = (d: Mutable) => d.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    const migratorEnv = (d: Mutable) => d.spec.template.spec.initContainers[0].env as { name: string; value?: string }[];
    const traceTo = (d: Mutable, endpoint: string) => {
      for (const list of [env(d), migratorEnv(d)]) list.find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')!.value = endpoint;
    };
    expect(problemsAfter('Deployment', 'calls', (d) => traceTo(d, 'http://tempo.tracing.svc:4318'))).toEqual([
      'Deployment homeline/calls: its network policy does not let it reach the OTLP collector http://tempo.tracing.svc:4318 (namespace tracing, port 4318)',
    ]);
    expect(problemsAfter('NetworkPolicy', 'calls', (p) => (p.spec.egress = p.spec.egress.filter((r: Mutable) => r.ports?.[0]?.port !== 9093)))).toEqual([
      'Deployment homeline/calls: its network policy does not let it reach the Kafka broker homeline-kafka-bootstrap.kafka.svc:9093 (namespace kafka, port 9093)',
    ]);
  });

  it('says why when kustomize cannot build the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'homeline-kustomize-'));
    try {
      await writeFile(join(dir, 'kustomization.yaml'), 'resources: [missing.yaml]\n');
      expect(() => renderKustomization(dir)).toThrow(/kubectl kustomize .* failed: .*missing\.yaml/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
