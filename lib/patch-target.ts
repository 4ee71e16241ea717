import { KubernetesObject } from './kubernetes-object';
import { fieldsOf, string } from './shape';

// Which objects a patch applies to, the way kustomize selects a `patches[].target`: group,
// version, kind, name and namespace are regular expressions that must match the whole value,
// label and annotation selectors are Kubernetes selectors, and every field given must match.

/**
 * The objects a patch applies to, as a kustomization's `patches[].target`; every field given must match.
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export interface PatchTarget {
  /** API group, such as `apps` (`""` for the core group); a regular expression. @default - any */
  readonly group?: string;
  /** API version, such as `v1`; a regular expression. @default - any */
  readonly version?: string;
  /** Kind, such as `Deployment`; a regular expression. @default - any */
  readonly kind?: string;
  /** Name, such as `(kustomize-controller|helm-controller)`; a regular expression. @default - any */
  readonly name?: string;
  /** Namespace; a regular expression. @default - any */
  readonly namespace?: string;
  /** A label selector, such as `app.kubernetes.io/part-of=flux` or `app in (a,b)`. @default - any */
  readonly labelSelector?: string;
  /** An annotation selector, in the syntax of label selectors. @default - any */
  readonly annotationSelector?: string;
}

/** The run-time shape of a target, for settings and props. */
export const PATCH_TARGET = fieldsOf<PatchTarget>()({
  group: string(),
  version: string(),
  kind: string(),
  name: string(),
  namespace: string(),
  labelSelector: string(),
  annotationSelector: string(),
});

type Requirement = (labels: Record<string, string>) => boolean;

// key, key=v, key==v, key!=v, !key, key in (a,b), key notin (a,b)
const REQUIREMENT =
  /^\s*(!?)\s*([A-Za-z0-9][-A-Za-z0-9_./]*)\s*(?:(==?|!=)\s*([-A-Za-z0-9_.]*)|\s(in|notin)\s*\(([^()]*)\))?\s*$/;

/** The requirements of a selector, or undefined when it is not one. */
export function parseSelector(selector: string): Requirement[] | undefined {
  const parts = selector.match(/([^,(]|\([^)]*\))+/g) ?? [];
  const requirements: Requirement[] = [];
  for (const part of parts) {
    const m = REQUIREMENT.exec(part);
    if (!m) return undefined;
    const [, not, key, equality, value, set, values] = m;
    if (not && (equality || set)) return undefined;
    if (not) requirements.push((l) => !(key in l));
    else if (equality === '!=') requirements.push((l) => l[key] !== value);
    else if (equality) requirements.push((l) => l[key] === value);
    else if (set) {
      const allowed = values.split(',').map((v) => v.trim());
      requirements.push(set === 'in' ? (l) => allowed.includes(l[key]) : (l) => !allowed.includes(l[key]));
    } else requirements.push((l) => key in l);
  }
  return requirements;
}

const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);

/** The fields of a target that are not what they must be: regular expressions and selectors. */
export function targetProblems(target: PatchTarget): string[] {
  const problems: string[] = [];
  for (const field of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
    const pattern = target[field];
    if (pattern === undefined) continue;
    try {
      whole(pattern);
    } catch {
      problems.push(`target.${field} "${pattern}" is not a regular expression`);
    }
  }
  for (const field of ['labelSelector', 'annotationSelector'] as const) {
    const selector = target[field];
    if (selector !== undefined && !parseSelector(selector))
      problems.push(
        `target.${field} "${selector}" is not a selector; use key=value, key!=value, key, !key or key in (a,b)`,
      );
  }
  return problems;
}

/** Whether `object` is one that `target` selects; the target must have no {@link targetProblems}. */
export function targets(target: PatchTarget, object: KubernetesObject): boolean {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const values = {
    group,
    version,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
  };
  for (const field of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
    const pattern = target[field];
    if (pattern !== undefined && !whole(pattern).test(values[field])) return false;
  }
  const selects = (selector: string | undefined, labels: Record<string, string> | undefined) =>
    selector === undefined || (parseSelector(selector) ?? []).every((r) => r(labels ?? {}));
  return (
    selects(target.labelSelector, object.metadata.labels) &&
    selects(target.annotationSelector, object.metadata.annotations)
  );
}

/** A target as messages quote it: `kind Deployment, name (a|b)`. */
export function describeTarget(target: PatchTarget): string {
  return Object.entries(target)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
