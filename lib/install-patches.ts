import { applyPatch, Operation } from 'rfc6902';
import { parseAllDocuments } from 'yaml';
import { cloneObject, describeObject, KubernetesObject } from './kubernetes-object';
import { describeTarget, PatchTarget, targetProblems, targets } from './patch-target';
import { installObjectProblems } from './pod-checks';
import { nearest, Problems } from './rules';
import { StrategicMergeError, strategicMerge } from './strategic-merge';

// Patches on the objects `flux install` produces, as `flux bootstrap` applies them from
// `clusters/<env>/flux-system/kustomization.yaml`: each is an RFC 6902 JSON patch (from rfc6902)
// or a strategic merge patch (lib/strategic-merge.ts), on the objects its target selects, in the
// order given. A patch that selects nothing, fails, or leaves an object the API server would
// refuse is refused at synth, naming the patch, the target and the value.

/**
 * An RFC 6902 operation, such as
 * `{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--concurrent=20' }`.
 */
export type JsonPatchOperation = Operation;

/**
 * A patch on the objects of the install, as a `patches` entry of a kustomization.yaml.
 * @see https://fluxcd.io/flux/installation/configuration/bootstrap-customization/
 */
export interface InstallPatch {
  /**
   * A list of RFC 6902 operations (a JSON patch), or an object (a strategic merge patch), or either
   * as YAML or JSON text, as a kustomization.yaml's `patches[].patch` holds it.
   */
  readonly patch: string | readonly JsonPatchOperation[] | Readonly<Record<string, unknown>>;
  /**
   * The objects to patch.
   * @default - for a strategic merge patch, the object its apiVersion, kind, metadata.name and
   * metadata.namespace name; a JSON patch needs a target
   */
  readonly target?: PatchTarget;
}

/** A patch with the name messages give it: `patches[2]`, or the typed setting it comes from. */
export interface NamedPatch extends InstallPatch {
  readonly source: string;
}

type Json = Record<string, unknown>;
type Parsed = { ops: Operation[] } | { merges: Json[] };

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function parse(patch: InstallPatch['patch']): Parsed | string {
  let documents: unknown[] = [patch];
  if (typeof patch === 'string') {
    const parsed = parseAllDocuments(patch);
    const docs = Array.isArray(parsed) ? parsed : [parsed];
    const error = docs.flatMap((d) => d.errors)[0];
    if (error) return `is not YAML or JSON: ${error.message.split('\n')[0]}`;
    documents = docs.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
  }
  if (documents.length === 1 && Array.isArray(documents[0])) {
    const ops = documents[0] as unknown[];
    for (const [i, op] of ops.entries()) {
      if (!isObject(op) || !OPS.includes(op.op as string))
        return `operation ${i} ${JSON.stringify(op)} is not an RFC 6902 operation; use op ${OPS.join(', ')}`;
      if (typeof op.path !== 'string' || (op.path !== '' && !op.path.startsWith('/')))
        return `operation ${i}: path ${JSON.stringify(op.path)} is not a JSON pointer, such as /spec/replicas`;
      if (['add', 'replace', 'test'].includes(op.op as string) && !('value' in op))
        return `operation ${i} (${String(op.op)} ${op.path}) has no value`;
      if (['move', 'copy'].includes(op.op as string) && typeof op.from !== 'string')
        return `operation ${i} (${String(op.op)} ${op.path}) has no from`;
    }
    return { ops: ops as Operation[] };
  }
  if (documents.length === 0 || !documents.every(isObject))
    return 'is neither a JSON patch (a list of operations) nor a strategic merge patch (an object)';
  if (documents.some((d) => d.$patch === 'delete'))
    return '$patch: delete of a whole object is not supported; leave objects out with components or networkPolicy';
  return { merges: documents as Json[] };
}

/** The object a strategic merge patch names itself, as kustomize finds a patch without a target. */
function selfTarget(merge: Json): PatchTarget {
  const meta = (merge.metadata ?? {}) as { name?: string; namespace?: string };
  const apiVersion = String(merge.apiVersion ?? '');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    ...(apiVersion && { group: escape(apiVersion.includes('/') ? apiVersion.split('/')[0] : '') }),
    kind: escape(String(merge.kind ?? '')),
    name: escape(meta.name ?? ''),
    namespace: escape(meta.namespace ?? ''),
  };
}

const IDENTITY = ['apiVersion', 'kind', 'metadata.name', 'metadata.namespace'];
const identityOf = (o: Json) => [o.apiVersion, o.kind, (o.metadata as Json)?.name, (o.metadata as Json)?.namespace];

/** Applies one patch to one object; returns the patched copy, or why it failed. */
function patchObject(object: KubernetesObject, parsed: Parsed): { result?: KubernetesObject; problem?: string } {
  let result: Json;
  if ('ops' in parsed) {
    result = cloneObject(object) as Json;
    const errors = applyPatch(result, cloneObject(parsed.ops));
    const failed = errors.findIndex((e) => e !== null);
    if (failed >= 0) {
      const op = parsed.ops[failed];
      const error = errors[failed] as Error & { actual?: unknown; expected?: unknown };
      const why =
        error.name === 'TestError'
          ? `the value is ${JSON.stringify(error.actual)}, not ${JSON.stringify(error.expected)}`
          : error.name === 'MissingError'
            ? `${(error as Error & { path?: string }).path ?? op.path} does not exist in the object`
            : error.message;
      return { problem: `operation ${failed} (${op.op} ${op.path}) fails: ${why}` };
    }
  } else {
    try {
      // With a target, kustomize applies the patch as if it named each object it selects.
      result = parsed.merges.reduce<Json>(
        (o, merge) => {
          const { apiVersion: _a, kind: _k, ...rest } = merge;
          const meta = { ...((rest.metadata ?? {}) as Json) };
          delete meta.name;
          delete meta.namespace;
          return strategicMerge(o, { ...rest, ...(rest.metadata ? { metadata: meta } : {}) });
        },
        object as unknown as Json,
      );
    } catch (error) {
      if (!(error instanceof StrategicMergeError)) throw error;
      return { problem: `at ${error.path || '/'}: ${error.message}` };
    }
  }
  const [before, after] = [identityOf(object as unknown as Json), identityOf(result)];
  const renamed = IDENTITY.filter((_, i) => before[i] !== after[i]);
  if (renamed.length > 0)
    return {
      problem:
        `changes ${renamed.join(', ')} ` +
        `(${renamed.map((f) => JSON.stringify(after[IDENTITY.indexOf(f)])).join(', ')}); ` +
        'a patch may change an object, not make it another object',
    };
  return { result: result as unknown as KubernetesObject };
}

/**
 * The objects with every patch applied in order, as new objects; adds every problem to
 * `problems`, each naming its patch, its target and the value.
 */
export function applyInstallPatches(
  problems: Problems,
  objects: readonly KubernetesObject[],
  patches: readonly NamedPatch[],
): KubernetesObject[] {
  let current = [...objects];
  // The patches that changed each object, by its position: what a refusal of the result names.
  const patchedBy = new Map<number, string[]>();
  for (const patch of patches) {
    const parsed = parse(patch.patch);
    if (typeof parsed === 'string') {
      problems.add(`${patch.source}: the patch ${parsed}`);
      continue;
    }
    if ('ops' in parsed && !patch.target) {
      problems.add(
        `${patch.source}: a JSON patch needs a target, such as { kind: 'Deployment', name: 'kustomize-controller' }`,
      );
      continue;
    }
    const bad = patch.target ? targetProblems(patch.target) : [];
    bad.forEach((b) => problems.add(`${patch.source}: ${b}`));
    if (bad.length > 0) continue;
    const uses: [PatchTarget, Parsed][] =
      patch.target || 'ops' in parsed
        ? [[patch.target ?? {}, parsed]]
        : parsed.merges.map((merge) => [selfTarget(merge), { merges: [merge] }]);
    for (const [target, one] of uses) {
      const label = `${patch.source} (target ${describeTarget(target)})`;
      const selected = current.filter((o) => targets(target, o));
      if (selected.length === 0) {
        const kinds = [...new Set(current.map((o) => o.kind))];
        const ofKind = current.filter((o) => !target.kind || targets({ kind: target.kind }, o));
        const names = ofKind.map((o) => o.metadata.name);
        const near =
          target.kind && ofKind.length === 0 ? nearest(target.kind, kinds) : target.name && nearest(target.name, names);
        problems.add(
          `${label}: selects no object of the install` +
            (near ? `; did you mean ${near}?` : `; it has ${kinds.join(', ')}`),
        );
        continue;
      }
      current = current.map((o, index) => {
        if (!selected.includes(o)) return o;
        const { result, problem } = patchObject(o, one);
        if (problem) problems.add(`${label}: ${describeObject(o)}: ${problem}`);
        if (!result) return o;
        patchedBy.set(index, [...(patchedBy.get(index) ?? []), label]);
        return result;
      });
    }
  }
  // Checked once all patches are applied: one patch may add a volume mount and the next its volume.
  for (const [index, by] of patchedBy) {
    for (const refused of installObjectProblems(current[index]))
      problems.add(`${describeObject(current[index])}, as patched by ${by.join(' and ')}: ${refused}`);
  }
  return current;
}
