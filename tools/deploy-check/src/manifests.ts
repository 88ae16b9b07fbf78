import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as it leaves kustomize: only what every object has is typed. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: unknown;
  readonly [field: string]: unknown;
}

export const describe = (object: KubeObject): string =>
  `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`;

/**
 * Builds a kustomization as `kubectl apply -k` would, offline (kubectl's built-in kustomize reads
 * only local files), and parses the stream into objects.
 */
export function renderKustomization(dir: string, kubectl = process.env.KUBECTL ?? 'kubectl'): KubeObject[] {
  let output: string;
  try {
    output = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error(`${kubectl} not found: install kubectl (its built-in kustomize builds deploy/k8s), or set KUBECTL`);
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr?.trim() || String(error)}`);
  }
  return parseObjects(output);
}

export function parseObjects(stream: string): KubeObject[] {
  return parseAllDocuments(stream).flatMap((document) => {
    if (document.errors.length) throw new Error(`not YAML: ${document.errors[0].message}`);
    const object = document.toJS() as KubeObject | null;
    return object ? [object] : [];
  });
}
