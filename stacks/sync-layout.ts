import { TerraformStack } from 'cdktf';
import { HelmRelease, HelmReleaseChartSpec, Kustomization, OCIRepository } from '../constructs';
import { HelmReleaseSettings, KustomizationSettings } from '../settings';
import { StackProblems } from './stack-problems';
import { EnvironmentSource } from './sync-sources';

// The environment's layout as objects of the sync stack: its Kustomizations and HelmReleases, each
// naming its source and what it depends on by name. Each is built once its dependencies are, in
// order of declaration; a refused object is reported and left out, and what depends on it is not
// built (its own problems are still reported).

/** The sources a layout may name: the environment's own (`flux-system`) and its `sources`. */
export interface LayoutSources {
  readonly own: EnvironmentSource;
  readonly others: ReadonlyMap<string, EnvironmentSource>;
  /** Names of sources declared but refused, whose problems are already reported. */
  readonly refused: ReadonlySet<string>;
}

interface Declared {
  readonly name: string;
  readonly dependsOn?: readonly string[];
}

/**
 * Builds each declared object after what it depends on: a name declared twice, a dependency the
 * environment does not declare, and a cycle are refused by name. `lookup` finds a dependency that
 * is not of these (a HelmRelease's Kustomization); `build` makes one object from its built
 * dependencies, or undefined when it was refused.
 */
function buildInOrder<S extends Declared, T, D>(
  subject: string,
  declared: readonly S[],
  problems: StackProblems,
  options: {
    readonly noun: string;
    readonly others?: ReadonlyMap<string, D | undefined>;
    /** Names declared but refused by the settings check: known, never built. */
    readonly refused?: ReadonlySet<string>;
    readonly build: (settings: S, dependsOn: (T | D)[]) => T | undefined;
  },
): Map<string, T> {
  const names = declared.map((d) => d.name);
  const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (twice.length > 0)
    problems.add(
      `${subject}: ${twice.map((n) => `"${n}"`).join(', ')} declared more than once; give each ${options.noun} ` +
        `its own name`,
    );
  const known = [...names, ...(options.refused ?? []), ...(options.others?.keys() ?? [])];
  const built = new Map<string, T | undefined>();
  const visiting: string[] = [];
  const build = (name: string): T | undefined => {
    if (built.has(name)) return built.get(name);
    if (visiting.includes(name)) {
      problems.add(
        `${subject}: dependsOn cycle ${[...visiting.slice(visiting.indexOf(name)), name].join(' → ')}; drop one ` +
          `of these dependencies`,
      );
      return undefined;
    }
    visiting.push(name);
    const settings = declared.find((d) => d.name === name)!;
    const unknown = (settings.dependsOn ?? []).filter((d) => !known.includes(d));
    if (unknown.length > 0)
      problems.add(
        `${subject}: "${name}" dependsOn ${unknown.map((d) => `"${d}"`).join(', ')}, which this environment ` +
          `does not declare; declare it or use one of ${known.join(', ')}`,
      );
    const dependencies = (settings.dependsOn ?? [])
      .filter((d) => known.includes(d))
      .map((d) => (names.includes(d) ? build(d) : options.refused?.has(d) ? undefined : options.others?.get(d)));
    visiting.pop();
    // What depends on a refused object is not built: its problem is reported already.
    const ready = unknown.length === 0 && dependencies.every((d) => d !== undefined);
    const object = ready ? options.build(settings, dependencies as (T | D)[]) : undefined;
    built.set(name, object);
    return object;
  };
  // Built in order of declaration (dependencies first when declared later), so ids and output are stable.
  names.forEach(build);
  return new Map(
    names.flatMap((n) => {
      const object = built.get(n);
      return object === undefined ? [] : [[n, object] as const];
    }),
  );
}

/** The source a layout entry names, or undefined (reported) when the environment has none of that name. */
function sourceNamed(
  subject: string,
  entry: { readonly name: string; readonly source?: string },
  sources: LayoutSources,
  problems: StackProblems,
): EnvironmentSource | undefined {
  if (entry.source === undefined || entry.source === 'flux-system') return sources.own;
  const source = sources.others.get(entry.source);
  if (!source && !sources.refused.has(entry.source))
    problems.add(
      `${subject}: "${entry.name}" source "${entry.source}" is not a source of this environment; declare it in ` +
        `sources or use one of ${['flux-system', ...sources.others.keys()].join(', ')}`,
    );
  return source;
}

/** The layout's Kustomizations, by name, in order of declaration. */
export function kustomizationsOf(
  stack: TerraformStack,
  layout: readonly KustomizationSettings[],
  sources: LayoutSources,
  problems: StackProblems,
  refused?: ReadonlySet<string>,
): Map<string, Kustomization> {
  const subject = `${stack.node.id}: kustomizations`;
  return buildInOrder<KustomizationSettings, Kustomization, never>(subject, layout, problems, {
    noun: 'Kustomization',
    refused,
    build: (settings, dependsOn) => {
      const { dependsOn: _, source: __, ...props } = settings;
      const sourceRef = sourceNamed(subject, settings, sources, problems);
      if (!sourceRef) return undefined;
      return problems.attempt(() => new Kustomization(stack, settings.name, { sourceRef, ...props, dependsOn }));
    },
  });
}

/**
 * The environment's HelmReleases, by name, in order of declaration; `dependsOn` names HelmReleases
 * and the Kustomizations declared (undefined for one refused: what depends on it is left out).
 * Their construct ids are `release-<name>`, since a Kustomization often has the same name.
 */
export function helmReleasesOf(
  stack: TerraformStack,
  releases: readonly HelmReleaseSettings[],
  kustomizations: ReadonlyMap<string, Kustomization | undefined>,
  sources: LayoutSources,
  problems: StackProblems,
  refused?: ReadonlySet<string>,
): Map<string, HelmRelease> {
  const subject = `${stack.node.id}: helmReleases`;
  const declared = kustomizations;
  const ambiguous = releases.filter((r) => declared.has(r.name)).map((r) => `"${r.name}"`);
  if (ambiguous.length > 0)
    problems.add(
      `${subject}: ${ambiguous.join(', ')} also names a Kustomization, so a dependsOn naming it would be ` +
        `ambiguous; give the HelmRelease its own name`,
    );
  return buildInOrder<HelmReleaseSettings, HelmRelease, Kustomization | undefined>(subject, releases, problems, {
    noun: 'HelmRelease',
    others: declared,
    refused,
    build: (settings, dependsOn) => {
      const { source: _, chart, version, dependsOn: __, ...props } = settings;
      const source = sourceNamed(subject, { ...settings, source: settings.source }, sources, problems);
      if (!source) return undefined;
      const chosen = chartOf(subject, settings, source);
      if (typeof chosen === 'string') {
        problems.add(chosen);
        return undefined;
      }
      return problems.attempt(
        () =>
          new HelmRelease(stack, `release-${settings.name}`, {
            ...props,
            ...chosen,
            name: settings.name,
            dependsOn: dependsOn as (HelmRelease | Kustomization)[],
          }),
      );
    },
  });
}

/** The chart of a release: by name (or path) in its source, or the source's artifact; else the problem. */
function chartOf(
  subject: string,
  settings: HelmReleaseSettings,
  source: EnvironmentSource,
): { chart: { spec: HelmReleaseChartSpec } } | { chartRef: OCIRepository } | string {
  const { name, chart, version } = settings;
  if (source instanceof OCIRepository) {
    if (chart === undefined && version === undefined) return { chartRef: source };
    return (
      `${subject}: "${name}" chart ${JSON.stringify(chart ?? version)}: source "${settings.source}" is an OCI ` +
      `artifact, which is the chart itself (Flux's chartRef); leave chart and version out`
    );
  }
  if (chart === undefined)
    return (
      `${subject}: "${name}" has no chart; give its name in ${source.kind} "${settings.source}"` +
      (source.kind === 'GitRepository' || source.kind === 'Bucket' ? ' (its path, such as ./charts/app)' : '')
    );
  return { chart: { spec: { chart, version, sourceRef: source } } };
}
