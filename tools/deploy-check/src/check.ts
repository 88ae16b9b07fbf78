import { checkDeployPolicies } from './deploy-policies';
import { checkEgress } from './egress-policy';
import { validateCoreObject } from './kubernetes-schemas';
import { describe, type KubeObject } from './manifests';
import { isStrimziObject, validateStrimziObject } from './strimzi-schemas';

export interface CheckResult {
  /** Objects by kind, for the summary line. */
  readonly kinds: Readonly<Record<string, number>>;
  /** One line per problem: "Kind namespace/name: what is wrong". */
  readonly problems: readonly string[];
}

/** Every object against its schema (Kubernetes' or Strimzi's), then the deploy's own rules. */
export function checkManifests(objects: readonly KubeObject[]): CheckResult {
  const kinds: Record<string, number> = {};
  const problems: string[] = [];
  for (const object of objects) {
    kinds[object.kind] = (kinds[object.kind] ?? 0) + 1;
    const found = isStrimziObject(object) ? validateStrimziObject(object) : validateCoreObject(object);
    problems.push(...found.map((problem) => `${describe(object)}: ${problem}`));
  }
  for (const { object, problem } of [...checkDeployPolicies(objects), ...checkEgress(objects)]) problems.push(`${describe(object)}: ${problem}`);
  return { kinds, problems };
}
