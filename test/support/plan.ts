import { PlanJson, ResourceChange } from '../../cli/plan-summary';
import { SynthesizedStack } from './synth';

/**
 * A plan in the JSON format `show -json` writes, modelled from two synthesized stacks: what the
 * providers would plan when the configuration moves from `before` to `after`. The providers
 * cannot be obtained here (test/e2e/toolchain/README.md), so no real plan can be made; this
 * follows the documented format and the kubernetes provider's `manifest` attribute.
 * Variables take their defaults; `afterVars` sets some for the `after` side, as -var would.
 */
export function modelPlan(
  before: SynthesizedStack | undefined,
  after: SynthesizedStack | undefined,
  afterVars: Record<string, string> = {},
): PlanJson {
  const resources = (stack: SynthesizedStack | undefined, vars: Record<string, string> = {}) => {
    const defaults = {
      ...Object.fromEntries(Object.entries(stack?.variable ?? {}).map(([n, v]) => [n, v.default])),
      ...vars,
    };
    const text = JSON.stringify(stack?.resource ?? {}).replace(/\$\{var\.([a-z_]+)\}/g, (_, name: string) =>
      String(defaults[name] ?? '(var)'),
    );
    const map = new Map<string, { type: string; values: Record<string, unknown> }>();
    for (const [type, byName] of Object.entries(
      JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>,
    )) {
      for (const [name, body] of Object.entries(byName)) {
        const { '//': _, depends_on: __, ...values } = body;
        map.set(`${type}.${name}`, { type, values });
      }
    }
    return map;
  };
  const [old, now] = [resources(before), resources(after, afterVars)];
  const changes: ResourceChange[] = [];
  for (const address of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const [b, a] = [old.get(address), now.get(address)];
    const actions = !b
      ? ['create']
      : !a
        ? ['delete']
        : JSON.stringify(b.values) === JSON.stringify(a.values)
          ? ['no-op']
          : ['update'];
    const type = (a ?? b)!.type;
    const sensitive = type === 'kubernetes_secret_v1' ? { data: true } : {};
    changes.push({
      address,
      type,
      change: {
        actions,
        before: b?.values ?? null,
        after: a?.values ?? null,
        before_sensitive: b ? sensitive : false,
        after_sensitive: a ? sensitive : false,
        after_unknown: {},
      },
    });
  }
  return { resource_changes: changes };
}
