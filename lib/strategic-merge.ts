import { apply as mergePatch } from 'json-merge-patch';

// Kubernetes' strategic merge patch, as kustomize applies a `patches[].patch` that is not a JSON
// patch: a JSON merge patch (RFC 7386, from json-merge-patch) except for the lists Kubernetes
// gives a merge key, whose items are matched by that key and merged one by one instead of the
// list being replaced. Only the merge-key rules are written here, for the kinds `flux install`
// applies; every other list (args, tolerations, rules, CRD versions) is replaced, as kustomize does.

type Json = Record<string, unknown>;

/** A list whose items Kubernetes merges by `key`; `item` says how to merge an item's own fields. */
interface MergeList {
  readonly mergeKey: string;
  readonly item?: Shape;
}
/** The fields of an object that hold merge-key lists, directly or further down. */
interface Shape {
  readonly [field: string]: Shape | MergeList;
}

const isMergeList = (s: Shape | MergeList): s is MergeList => typeof s.mergeKey === 'string';

// From k8s.io/api core/v1 and meta/v1 types.go: the fields tagged patchStrategy:"merge" with a patchMergeKey.
const CONTAINER: Shape = {
  env: { mergeKey: 'name' },
  ports: { mergeKey: 'containerPort' },
  volumeMounts: { mergeKey: 'mountPath' },
  volumeDevices: { mergeKey: 'devicePath' },
};
const POD_SPEC: Shape = {
  containers: { mergeKey: 'name', item: CONTAINER },
  initContainers: { mergeKey: 'name', item: CONTAINER },
  ephemeralContainers: { mergeKey: 'name', item: CONTAINER },
  volumes: { mergeKey: 'name' },
  imagePullSecrets: { mergeKey: 'name' },
  hostAliases: { mergeKey: 'ip' },
  topologySpreadConstraints: { mergeKey: 'topologyKey' },
};
const OBJECT_META: Shape = { ownerReferences: { mergeKey: 'uid' } };
const WORKLOAD: Shape = { metadata: OBJECT_META, spec: { template: { metadata: OBJECT_META, spec: POD_SPEC } } };

const SHAPES: Record<string, Shape> = {
  Deployment: WORKLOAD,
  StatefulSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  ReplicaSet: WORKLOAD,
  Job: WORKLOAD,
  Pod: { metadata: OBJECT_META, spec: POD_SPEC },
  Service: { metadata: OBJECT_META, spec: { ports: { mergeKey: 'port' } } },
};

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Thrown for a patch Kubernetes would refuse to apply; `path` is where, as a JSON pointer. */
export class StrategicMergeError extends Error {
  constructor(
    public readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const PATCH_DIRECTIVE = '$patch';
// Directives of the patch format that only matter for patches computed by kubectl, not written by hand.
const UNSUPPORTED = ['$setElementOrder', '$retainKeys', '$deleteFromPrimitiveList'];

const hasDirective = (value: unknown): boolean =>
  Array.isArray(value)
    ? value.some(hasDirective)
    : isObject(value) && Object.entries(value).some(([k, v]) => k.startsWith('$') || hasDirective(v));

function mergeList(original: unknown, patch: unknown[], list: MergeList, path: string): unknown[] {
  const before = Array.isArray(original) ? original : [];
  if (patch.some((p) => isObject(p) && p[PATCH_DIRECTIVE] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p[PATCH_DIRECTIVE] === 'replace'));
  }
  const keyOf = (item: unknown) => (isObject(item) ? item[list.mergeKey] : undefined);
  const mentioned = new Set<unknown>();
  const merged: unknown[] = [];
  patch.forEach((item, i) => {
    const key = keyOf(item);
    if (key === undefined)
      throw new StrategicMergeError(`${path}/${i}`, `a list item needs its merge key "${list.mergeKey}"`);
    mentioned.add(key);
    const { [PATCH_DIRECTIVE]: directive, ...fields } = item as Json;
    if (directive === 'delete') return;
    if (directive !== undefined)
      throw new StrategicMergeError(
        `${path}/${i}`,
        `${PATCH_DIRECTIVE} "${String(directive)}" is not delete or replace`,
      );
    const existing = before.find((b) => keyOf(b) === key);
    merged.push(existing === undefined ? fields : mergeObject(existing, fields, list.item ?? {}, `${path}/${i}`));
  });
  // Kubernetes (and kustomize) put the items the patch names first, in its order, then the rest.
  return [...merged, ...before.filter((b) => !mentioned.has(keyOf(b)))];
}

function mergeObject(original: unknown, patch: Json, shape: Shape, path: string): Json {
  const base = isObject(original) ? structuredClone(original) : {};
  for (const directive of UNSUPPORTED.filter((d) => Object.keys(patch).some((k) => k.startsWith(d)))) {
    throw new StrategicMergeError(path, `${directive} is not supported; write the fields you want instead`);
  }
  const { [PATCH_DIRECTIVE]: directive, ...fields } = patch;
  if (directive === 'replace') return fields;
  if (directive !== undefined)
    throw new StrategicMergeError(path, `${PATCH_DIRECTIVE} "${String(directive)}" is not supported here; use replace`);
  for (const [key, value] of Object.entries(fields)) {
    const inner = shape[key];
    const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (inner && isMergeList(inner) && Array.isArray(value)) base[key] = mergeList(base[key], value, inner, at);
    else if (inner && !isMergeList(inner) && isObject(value)) base[key] = mergeObject(base[key], value, inner, at);
    else if (value === null) delete base[key];
    else if (isObject(value) && hasDirective(value)) base[key] = mergeObject(base[key], value, {}, at);
    else base[key] = isObject(value) ? mergePatch(structuredClone(base[key] ?? {}), value) : value;
  }
  return base;
}

/**
 * `object` with the strategic merge patch applied, as a new object: maps merged (null deletes a
 * field), merge-key lists merged item by item (`$patch: delete` removes an item, an item
 * `{ $patch: replace }` replaces the list), every other list replaced.
 */
export function strategicMerge(object: Json, patch: Json): Json {
  return mergeObject(object, patch, SHAPES[String(object.kind)] ?? {}, '');
}
