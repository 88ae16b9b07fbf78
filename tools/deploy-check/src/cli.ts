/**
 * npm run deploy:check [-- DIR]: builds the kustomization (deploy/k8s by default) with kubectl,
 * offline, and checks every object: core kinds against the Kubernetes API schemas, Strimzi's
 * KafkaTopic and KafkaUser against the fields Strimzi documents, and the deploy's own rules
 * (hardened pods, migrations in an init container, references that resolve). Exits 1 on any
 * problem, naming each. CI runs the same checks as tests (tools/deploy-check/test).
 */
import { join, relative, resolve } from 'node:path';
import { checkManifests } from './check';
import { renderKustomization } from './manifests';

const root = resolve(__dirname, '..', '..', '..');
const dir = resolve(process.argv[2] ?? join(root, 'deploy', 'k8s'));

try {
  const objects = renderKustomization(dir);
  const { kinds, problems } = checkManifests(objects);
  const summary = Object.entries(kinds).map(([kind, n]) => `${n} ${kind}`).join(', ');
  console.log(`kubectl kustomize ${relative(process.cwd(), dir) || '.'}: ${objects.length} objects (${summary})`);
  if (problems.length) {
    for (const problem of problems) console.log(`  ✗ ${problem}`);
    console.log(`${problems.length} problem(s)`);
    process.exitCode = 1;
  } else {
    console.log('every object valid: Kubernetes schemas (kubernetes-models), Strimzi CRD fields, deploy rules');
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
