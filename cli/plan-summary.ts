import { RECONCILE_REQUEST_ANNOTATION } from '../constructs/ready-wait';
// Turns a Terraform/OpenTofu plan (`show -json`) into a short Markdown summary a reviewer can
// read in a minute: what each object does, which fields change, and first what can hurt.

/** The parts of the plan JSON format this reads. @see https://developer.hashicorp.com/terraform/internals/json-format */
export interface PlanJson {
  readonly resource_changes?: ResourceChange[];
}

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly change: {
    readonly actions: string[];
    readonly before: Record<string, unknown> | null;
    readonly after: Record<string, unknown> | null;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    /** Set when the plan imports the object (an import block) rather than creating it. */
    readonly importing?: { readonly id?: string };
  };
}

export interface PlanSummary {
  readonly markdown: string;
  /** What can hurt: replacements, deletions, CRD or namespace changes, key rotation, pruning. */
  readonly warnings: string[];
}

type Action = 'create' | 'update' | 'replace' | 'delete' | 'import';
const ORDER: Action[] = ['replace', 'delete', 'create', 'import', 'update'];
const MAX_FIELDS = 8;
const VERSION_LABEL = 'metadata.labels["app.kubernetes.io/version"]';
const RECONCILE_REQUEST_PATH = `metadata.annotations["${RECONCILE_REQUEST_ANNOTATION}"]`;

function actionOf(change: ResourceChange['change']): Action | undefined {
  const { actions } = change;
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('create')) return 'create';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('update')) return 'update';
  return change.importing ? 'import' : undefined;
}

type Manifest = { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> };

function manifestOf(value: Record<string, unknown> | null): Manifest | undefined {
  const manifest = value?.manifest as Manifest | undefined;
  return manifest && typeof manifest.kind === 'string' ? manifest : undefined;
}

/** `Kind namespace/name` for Kubernetes objects; a readable name for the rest. */
function describe(rc: ResourceChange): { label: string; kind: string } {
  const manifest = manifestOf(rc.change.after) ?? manifestOf(rc.change.before);
  if (manifest) {
    const { name, namespace } = manifest.metadata;
    return { label: `${manifest.kind} ${namespace ? `${namespace}/` : ''}${name}`, kind: manifest.kind };
  }
  const names: Record<string, string> = {
    github_repository_deploy_key: 'GitHub deploy key',
    tls_private_key: 'git key pair',
    kubernetes_secret_v1: 'Secret',
  };
  const meta = (
    (rc.change.after ?? rc.change.before)?.metadata as { name?: string; namespace?: string }[] | undefined
  )?.[0];
  const suffix = meta?.name ? ` ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}` : ` (${rc.address})`;
  return { label: `${names[rc.type] ?? rc.type}${suffix}`, kind: rc.type };
}

function key(path: string, k: string | number): string {
  if (typeof k === 'number') return `${path}[${k}]`;
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`;
}

/** Every leaf of a JSON value, by path. */
function leaves(value: unknown, path = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, key(path, i), into));
  else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => leaves(v, key(path, k), into));
  else into.set(path, value);
  return into;
}

/** Every list of plain values (a container's args, a finalizer list), by path. */
function valueLists(value: unknown, path = '', into = new Map<string, unknown[]>()): Map<string, unknown[]> {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) into.set(path, value);
    else value.forEach((v, i) => valueLists(v, key(path, i), into));
  } else if (value && typeof value === 'object')
    Object.entries(value).forEach(([k, v]) => valueLists(v, key(path, k), into));
  return into;
}

/** What a list of plain values gains and loses, each value counted as often as it occurs. */
function listChange(before: unknown[], after: unknown[]): string {
  const remaining = [...before];
  const added = after.filter((v) => {
    const i = remaining.findIndex((r) => r === v);
    if (i < 0) return true;
    remaining.splice(i, 1);
    return false;
  });
  const parts = [
    ...(added.length > 0 ? [`added ${added.map((v) => show(v)).join(', ')}`] : []),
    ...(remaining.length > 0 ? [`removed ${remaining.map((v) => show(v)).join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'reordered';
}

/** The paths `after_sensitive` or `after_unknown` mark: they mirror the value with `true` where marked. */
function markedPaths(...marks: unknown[]): string[] {
  return marks.flatMap((m) => [...leaves(m)].filter(([, v]) => v === true).map(([p]) => p));
}

function isUnder(paths: string[], path: string): boolean {
  return paths.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

function show(value: unknown): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value);
  return `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\``;
}

interface FieldChange {
  readonly path: string;
  readonly text: string;
}

/** The paths of the leaves whose values differ between two sets of leaves, sorted. */
function changedPaths(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])]
    .sort()
    .filter((path) => JSON.stringify(before.get(path)) !== JSON.stringify(after.get(path)));
}

/**
 * The fields an update changes. For a Kubernetes object, those of its manifest, and drift: a field
 * the manifest sets and keeps that the cluster holds with another value (changed by hand or by
 * another field manager), which the apply sets back.
 */
function fieldChanges(rc: ResourceChange): FieldChange[] {
  const { before, after } = rc.change;
  const sensitive = markedPaths(rc.change.before_sensitive, rc.change.after_sensitive);
  const unknown = markedPaths(rc.change.after_unknown);
  const change = (path: string, full: string, old: unknown, now: unknown, note = ''): FieldChange => {
    if (isUnder(sensitive, full)) return { path, text: `\`${path}\`: (sensitive)` };
    if (isUnder(unknown, full)) return { path, text: `\`${path}\`: ${show(old)} → (known after apply)` };
    return { path, text: `\`${path}\`: ${show(old)} → ${show(now)}${note}` };
  };
  if (manifestOf(before) === undefined) {
    const [old, now] = [leaves(before), leaves(after)];
    return changedPaths(old, now).map((path) => change(path, path, old.get(path), now.get(path)));
  }
  const [old, now] = [leaves(before?.manifest), leaves(after?.manifest)];
  // The reconcile request the deploy's wait makes follows the spec (constructs/ready-wait.ts):
  // the spec's own changes are what a reviewer reads.
  const edited = changedPaths(old, now).filter((path) => path !== RECONCILE_REQUEST_PATH);
  const [live, planned] = [leaves(before?.object), leaves(after?.object)];
  const drifted = changedPaths(live, planned).filter((path) => now.has(path) && !edited.includes(path));
  // A flag added to a container's args shifts every later index: say which values came and went.
  const [oldLists, newLists] = [valueLists(before?.manifest), valueLists(after?.manifest)];
  const listOf = (path: string) => /^(.*)\[\d+\]$/.exec(path)?.[1];
  const inList = (path: string) => {
    const list = listOf(path);
    return list !== undefined && (oldLists.has(list) || newLists.has(list)) && !isUnder(sensitive, `manifest.${list}`);
  };
  const lists = [...new Set(edited.filter(inList).map((path) => listOf(path) as string))];
  const listChanges = lists.map((list) => ({
    path: list,
    text: `\`${list}\`: ${listChange(oldLists.get(list) ?? [], newLists.get(list) ?? [])}`,
  }));
  return [
    ...listChanges,
    ...edited
      .filter((path) => !inList(path))
      .map((path) => change(path, `manifest.${path}`, old.get(path), now.get(path))),
    ...drifted.map((path) =>
      change(path, `object.${path}`, live.get(path), planned.get(path), ' (drift: changed in the cluster)'),
    ),
  ].sort((x, y) => x.path.localeCompare(y.path));
}

/** The API versions a CRD serves. */
function servedVersions(value: Record<string, unknown> | null): string[] {
  return ((manifestOf(value)?.spec?.versions as { name: string; served: boolean }[] | undefined) ?? [])
    .filter((v) => v.served)
    .map((v) => v.name);
}

/** CRD schemas run to thousands of lines: say how much changed and which versions are served. */
function crdChange(rc: ResourceChange, changes: FieldChange[]): string {
  const served = (value: Record<string, unknown> | null) => servedVersions(value).join(', ') || '(none)';
  const schema = changes.filter((c) => c.path.includes('.schema.')).length;
  const versions =
    served(rc.change.before) === served(rc.change.after)
      ? `serves ${served(rc.change.after)}`
      : `served versions ${served(rc.change.before)} → ${served(rc.change.after)}`;
  return `${changes.length} field${changes.length === 1 ? '' : 's'} changed, ${schema} in the schemas; ${versions}`;
}

/** How a GitRepository authenticates, in words; undefined while its URL is not known. */
function gitAuthOf(manifest: Manifest | undefined): string | undefined {
  const spec = manifest?.spec;
  if (typeof spec?.url !== 'string') return undefined;
  if (spec.provider === 'github') return 'a GitHub App';
  if (typeof spec.provider === 'string' && spec.provider !== 'generic')
    return `the ${spec.provider} provider's identity`;
  if (!spec.secretRef) return 'no credentials';
  return spec.url.startsWith('ssh://') ? 'an SSH key' : 'HTTPS basic auth (a token)';
}

interface Warning {
  readonly object: string;
  readonly problem: string;
}

// An ordinary Flux upgrade updates every CRD's schema and every object's version label: that is
// summarised, not warned about. What can hurt is.
function warningsFor(rc: ResourceChange, action: Action, object: string, kind: string): Warning[] {
  const warnings: Warning[] = [];
  if (action === 'replace') warnings.push({ object, problem: 'destroyed and recreated' });
  if (action === 'delete') warnings.push({ object, problem: 'deleted' });
  if (kind === 'CustomResourceDefinition' && action === 'update') {
    const after = servedVersions(rc.change.after);
    for (const version of servedVersions(rc.change.before).filter((v) => !after.includes(v))) {
      warnings.push({
        object,
        problem:
          `API version ${version} is no longer served: objects stored at ${version} must be migrated before this ` +
          `is applied (see the CRD's status.storedVersions; run flux migrate with the old Flux version, or ` +
          `re-apply them at a served version)`,
      });
    }
  }
  if (
    kind === 'Kustomization' &&
    action === 'update' &&
    manifestOf(rc.change.before)?.spec?.prune === true &&
    manifestOf(rc.change.after)?.spec?.prune !== true
  ) {
    warnings.push({
      object,
      problem: 'prune is turned off: objects removed from the repository will stay on the cluster',
    });
  }
  if (
    (rc.type === 'github_repository_deploy_key' || rc.type === 'tls_private_key') &&
    (action === 'replace' || action === 'delete')
  ) {
    warnings.push({
      object,
      problem:
        'the deploy key is rotated or removed; Flux loses access to the repository until the new key is in place',
    });
  }
  const before = manifestOf(rc.change.before);
  if (kind === 'GitRepository' && action === 'update') {
    const [was, now] = [gitAuthOf(before), gitAuthOf(manifestOf(rc.change.after))];
    if (was !== now && was !== undefined && now !== undefined)
      warnings.push({
        object,
        problem:
          `Flux authenticates with ${now} instead of ${was}: from its next fetch the source stops updating ` +
          `until the host accepts the new credentials`,
      });
  }
  if (kind === 'Kustomization' && (action === 'delete' || action === 'replace') && before?.spec?.prune === true) {
    warnings.push({ object, problem: 'prune is enabled, so Flux will garbage-collect every object it applied' });
  }
  // helm-controller's finalizer uninstalls the release when the object goes; suspended, it is left.
  if (kind === 'HelmRelease' && (action === 'delete' || action === 'replace') && before?.spec?.suspend !== true) {
    warnings.push({
      object,
      problem:
        'helm-controller uninstalls the release, deleting every object of the chart; to keep them, deploy the ' +
        'HelmRelease with suspend: true first',
    });
  }
  return warnings;
}

/** One line per problem; a problem shared by several objects (all CRDs in an upgrade) is said once. */
function warningLines(warnings: Warning[]): string[] {
  const byProblem = new Map<string, string[]>();
  for (const w of warnings) byProblem.set(w.problem, [...(byProblem.get(w.problem) ?? []), w.object]);
  return [...byProblem].map(([problem, objects]) => {
    if (objects.length === 1) return `- ⚠️ ${objects[0]}: ${problem}`;
    const kinds = new Set(objects.map((o) => o.split(' ')[0]));
    const names = kinds.size === 1 ? objects.map((o) => o.slice(o.indexOf(' ') + 1)) : objects;
    return (
      `- ⚠️ ${objects.length} ${kinds.size === 1 ? `${[...kinds][0]}s` : 'objects'}: ${problem} ` +
      `(${names.join(', ')})`
    );
  });
}

/**
 * The Markdown summary of one stack's plan, warnings first; `notSynced` are the stack's Flux
 * objects that Flux does not report Ready on the cluster now, whatever the plan does.
 */
export function summarizePlan(
  stack: string,
  plan: PlanJson,
  notSynced: readonly { object: string; reason: string }[] = [],
): PlanSummary {
  const rows: { action: Action; label: string; fields: string[] }[] = [];
  const warnings: Warning[] = notSynced.map((n) => ({
    object: n.object,
    problem: `not synced on the cluster: ${n.reason}`,
  }));
  const counts: Record<Action, number> = { create: 0, update: 0, replace: 0, delete: 0, import: 0 };
  let versionLabel: { from: unknown; to: unknown; count: number } | undefined;
  for (const rc of plan.resource_changes ?? []) {
    const action = actionOf(rc.change);
    if (!action) continue;
    counts[action] += 1;
    // An import that also updates is counted among the updates and the imports.
    if (rc.change.importing && action !== 'import') counts.import += 1;
    const { label, kind } = describe(rc);
    warnings.push(...warningsFor(rc, action, label, kind));
    let fields: string[] = [];
    if (action === 'update') {
      let changes = fieldChanges(rc);
      if (changes.some((c) => c.path === VERSION_LABEL)) {
        // The version label changes on every object of an upgrade: say it once.
        const [from, to] = [
          leaves(rc.change.before?.manifest).get(VERSION_LABEL),
          leaves(rc.change.after?.manifest).get(VERSION_LABEL),
        ];
        versionLabel = { from, to, count: (versionLabel?.count ?? 0) + 1 };
        changes = changes.filter((c) => !c.path.endsWith('["app.kubernetes.io/version"]'));
      }
      if (kind === 'CustomResourceDefinition') fields = changes.length > 0 ? [crdChange(rc, changes)] : [];
      else
        fields = [
          ...changes.slice(0, MAX_FIELDS).map((c) => c.text),
          ...(changes.length > MAX_FIELDS ? [`and ${changes.length - MAX_FIELDS} more`] : []),
        ];
      // An object whose only change is the version label is counted, not listed.
      if (fields.length === 0 && versionLabel) continue;
    }
    rows.push({ action, label: rc.change.importing && action !== 'import' ? `${label} (imported)` : label, fields });
  }
  const lines = [
    `### \`${stack}\`: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ` +
      `${counts.delete} to delete${counts.import > 0 ? `, ${counts.import} to import` : ''}`,
    '',
  ];
  if (warnings.length > 0) lines.push('**Warnings**', '', ...warningLines(warnings), '');
  if (versionLabel) {
    const unlisted = counts.update - rows.filter((r) => r.action === 'update').length;
    lines.push(
      `Flux version label \`${versionLabel.from}\` → \`${versionLabel.to}\` on ${versionLabel.count} objects; ` +
        `${unlisted} of them change nothing else and are not listed.`,
      '',
    );
  }
  if (rows.length === 0 && !versionLabel) lines.push('No changes.');
  else {
    lines.push('| change | object | fields |', '| --- | --- | --- |');
    rows.sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.label.localeCompare(b.label));
    for (const row of rows)
      lines.push(`| ${row.action} | ${row.label} | ${row.fields.join('<br>').replace(/\|/g, '\\|')} |`);
  }
  return { markdown: `${lines.join('\n')}\n`, warnings: warnings.map((w) => `${w.object}: ${w.problem}`) };
}
