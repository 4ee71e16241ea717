import { KubernetesObject } from './kubernetes-object';
import { isQuantity, quantityNumber } from './quantity';
import { DNS1123_LABEL, LABEL_VALUE, NAME, QUALIFIED_KEY, Rule } from './rules';

// What the API server refuses in the objects of the install once a patch or a typed setting has
// changed them: the rules of k8s.io/kubernetes' pkg/apis/core/validation and apps/validation for
// the fields a customisation reaches (labels, selectors, containers, env, resources, volumes,
// scheduling). The manifests themselves pass; a patch may break any of these, and a deploy would
// then fail half-way through an apply.

type Json = Record<string, any>;

const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

class Found {
  public readonly problems: string[] = [];
  public add(field: string, value: unknown, text: string): void {
    this.problems.push(`${field} ${JSON.stringify(value)} ${text}`);
  }
  public rule(field: string, value: unknown, rule: Rule): void {
    if (typeof value !== 'string') this.add(field, value, 'must be a string');
    else if (!rule.test(value)) this.add(field, value, rule.text);
  }
}

function labels(found: Found, field: string, map: unknown, values: Rule | undefined): void {
  if (map === undefined) return;
  if (map === null || typeof map !== 'object' || Array.isArray(map))
    return found.add(field, map, 'must be a map of strings');
  for (const [key, value] of Object.entries(map)) {
    found.rule(`${field}`, key, QUALIFIED_KEY);
    if (values) found.rule(`${field}["${key}"]`, value, values);
    else if (typeof value !== 'string') found.add(`${field}["${key}"]`, value, 'must be a string');
  }
}

function resources(found: Found, field: string, r: Json | undefined): void {
  if (r === undefined) return;
  for (const kind of ['limits', 'requests']) {
    for (const [name, value] of Object.entries((r[kind] as Json | undefined) ?? {})) {
      if (typeof value !== 'string' && typeof value !== 'number')
        found.add(`${field}.${kind}.${name}`, value, 'must be a quantity, such as 500m or 1Gi');
      else if (!isQuantity(String(value)))
        found.add(`${field}.${kind}.${name}`, value, 'is not a quantity; use one such as 500m, 2, 512Mi or 1Gi');
    }
  }
  for (const [name, request] of Object.entries((r.requests as Json | undefined) ?? {})) {
    const limit = (r.limits as Json | undefined)?.[name];
    const [req, lim] = [quantityNumber(String(request)), quantityNumber(String(limit))];
    if (limit !== undefined && req !== undefined && lim !== undefined && req > lim)
      found.add(`${field}.requests.${name}`, request, `is more than its limit ${JSON.stringify(limit)}`);
  }
}

function container(found: Found, field: string, c: Json, volumes: Set<string>): void {
  if (typeof c.name !== 'string' || !DNS1123_LABEL.test(c.name))
    found.add(`${field}.name`, c.name, 'is not a container name (DNS-1123 label)');
  if (typeof c.image !== 'string' || c.image === '') found.add(`${field}.image`, c.image, 'is required');
  for (const list of ['args', 'command'])
    if (c[list] !== undefined && (!Array.isArray(c[list]) || c[list].some((a: unknown) => typeof a !== 'string')))
      found.add(`${field}.${list}`, c[list], 'must be a list of strings (quote numbers and booleans)');
  (c.env as Json[] | undefined)?.forEach((e, i) => {
    if (typeof e.name !== 'string' || e.name === '') found.add(`${field}.env[${i}].name`, e.name, 'is required');
    if (e.value !== undefined && typeof e.value !== 'string')
      found.add(`${field}.env[${i}].value`, e.value, 'must be a string (quote numbers and booleans)');
    if (e.value && e.valueFrom) found.add(`${field}.env[${i}].valueFrom`, e.valueFrom, 'may not be set with a value');
  });
  resources(found, `${field}.resources`, c.resources as Json | undefined);
  const paths = new Set<string>();
  (c.volumeMounts as Json[] | undefined)?.forEach((m, i) => {
    if (!volumes.has(m.name)) found.add(`${field}.volumeMounts[${i}].name`, m.name, 'names no volume of the pod');
    if (paths.has(m.mountPath)) found.add(`${field}.volumeMounts[${i}].mountPath`, m.mountPath, 'is mounted twice');
    paths.add(m.mountPath);
  });
}

function tolerations(found: Found, field: string, list: Json[] | undefined): void {
  list?.forEach((t, i) => {
    const at = `${field}[${i}]`;
    const operator = t.operator ?? 'Equal';
    if (!TOLERATION_OPERATORS.includes(operator))
      found.add(`${at}.operator`, t.operator, `is not one of ${TOLERATION_OPERATORS.join(', ')}`);
    if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.includes(t.effect))
      found.add(`${at}.effect`, t.effect, `is not one of ${TAINT_EFFECTS.join(', ')}`);
    if (t.key !== undefined && t.key !== '') found.rule(`${at}.key`, t.key, QUALIFIED_KEY);
    else if (operator !== 'Exists') found.add(`${at}.operator`, operator, 'must be Exists when the key is empty');
    if (operator === 'Exists' && t.value) found.add(`${at}.value`, t.value, 'must be empty with operator Exists');
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      found.add(`${at}.tolerationSeconds`, t.tolerationSeconds, 'is only allowed with effect NoExecute');
  });
}

function affinity(found: Found, field: string, a: Json | undefined): void {
  const terms = (at: string, list: Json[] | undefined) =>
    list?.forEach((term, i) =>
      ['matchExpressions', 'matchFields'].forEach((k) =>
        (term?.[k] as Json[] | undefined)?.forEach((e, j) => {
          if (!SELECTOR_OPERATORS.includes(e.operator))
            found.add(`${at}[${i}].${k}[${j}].operator`, e.operator, `is not one of ${SELECTOR_OPERATORS.join(', ')}`);
        }),
      ),
    );
  const weights = (at: string, list: Json[] | undefined) =>
    list?.forEach((p, i) => {
      if (!Number.isInteger(p.weight) || p.weight < 1 || p.weight > 100)
        found.add(`${at}[${i}].weight`, p.weight, 'must be a whole number from 1 to 100');
    });
  const node = a?.nodeAffinity as Json | undefined;
  terms(
    `${field}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`,
    node?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
  );
  const preferred = node?.preferredDuringSchedulingIgnoredDuringExecution as Json[] | undefined;
  weights(`${field}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`, preferred);
  terms(
    `${field}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].preference`,
    preferred?.map((p) => p.preference as Json),
  );
  for (const kind of ['podAffinity', 'podAntiAffinity'])
    weights(
      `${field}.${kind}.preferredDuringSchedulingIgnoredDuringExecution`,
      a?.[kind]?.preferredDuringSchedulingIgnoredDuringExecution,
    );
}

function podSpec(found: Found, field: string, spec: Json): void {
  const volumes = new Set<string>();
  (spec.volumes as Json[] | undefined)?.forEach((v, i) => {
    if (typeof v.name !== 'string' || !DNS1123_LABEL.test(v.name) || volumes.has(v.name))
      found.add(`${field}.volumes[${i}].name`, v.name, 'is not a unique volume name (DNS-1123 label)');
    volumes.add(v.name);
  });
  const names = new Set<string>();
  if (!Array.isArray(spec.containers) || spec.containers.length === 0)
    found.add(`${field}.containers`, spec.containers, 'must hold at least one container');
  for (const list of ['initContainers', 'containers'])
    (spec[list] as Json[] | undefined)?.forEach((c, i) => {
      if (names.has(c.name)) found.add(`${field}.${list}[${i}].name`, c.name, 'is the name of another container');
      names.add(c.name);
      container(found, `${field}.${list}[${i}]`, c, volumes);
    });
  labels(found, `${field}.nodeSelector`, spec.nodeSelector, LABEL_VALUE);
  tolerations(found, `${field}.tolerations`, spec.tolerations as Json[] | undefined);
  affinity(found, `${field}.affinity`, spec.affinity as Json | undefined);
  for (const name of ['priorityClassName', 'serviceAccountName'])
    if (spec[name] !== undefined) found.rule(`${field}.${name}`, spec[name], NAME);
}

/** The reasons the API server would refuse this object of the install, each `field value: why`. */
export function installObjectProblems(object: KubernetesObject): string[] {
  const found = new Found();
  labels(found, 'metadata.labels', object.metadata.labels, LABEL_VALUE);
  labels(found, 'metadata.annotations', object.metadata.annotations, undefined);
  const template = (object.spec as Json | undefined)?.template as Json | undefined;
  if (template?.spec) {
    const templateLabels = (template.metadata?.labels ?? {}) as Record<string, unknown>;
    labels(found, 'spec.template.metadata.labels', template.metadata?.labels, LABEL_VALUE);
    labels(found, 'spec.template.metadata.annotations', template.metadata?.annotations, undefined);
    const selector = ((object.spec as Json).selector?.matchLabels ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(selector))
      if (templateLabels[key] !== value)
        found.add(
          `spec.template.metadata.labels["${key}"]`,
          templateLabels[key],
          `must stay ${JSON.stringify(value)}: the Deployment's selector (spec.selector.matchLabels) ` +
            'selects its pods by it',
        );
    podSpec(found, 'spec.template.spec', template.spec as Json);
  }
  return found.problems;
}
