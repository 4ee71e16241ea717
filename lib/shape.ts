import { TerraformProvider, Token } from 'cdktf';
import { nearest, Problems, Rule } from './rules';

// Shapes checked at run time: an environment's settings, which may come from JSON or YAML, and
// the props of the constructs, which a spread of shared defaults or a cast gets past the compiler.
// An unknown key is refused by name, with the nearest known one; a value of the wrong type is
// refused naming the value. A table says what each field is; rules on values live with their
// subject (lib/rules.ts, the CRD schemas), and a table applies one only where no schema does.

/** Adds the problems of `value`, found at `path`, to `out`. */
export type Check = (value: unknown, path: string, out: Found) => void;

/** Where checks report, what a key is called there (`setting`, `prop`) and whose keys the top level's are. */
export interface Found {
  /** The problems found so far, each a whole sentence naming the field and the value. */
  readonly problems: string[];
  /** What a key is called in messages: `setting`, `prop`. */
  readonly noun: string;
  /** Whose keys the top level's are, such as `GitRepository`. @default - none */
  readonly owner?: string;
}

/**
 * Fields of `T`, one check per key: none missing, none extra, even through spreads (which
 * `satisfies` lets pass), so a table cannot drift from the interface it checks.
 */
export const fieldsOf =
  <T>() =>
  <F extends Record<keyof T, Check>>(fields: F & Record<Exclude<keyof F, keyof T>, never>): F =>
    fields;

/** A value as a message quotes it: JSON, a Flux object by kind and name, a construct by class. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const prototype = value !== null && typeof value === 'object' ? (Object.getPrototypeOf(value) as object) : null;
  if (prototype && prototype !== Object.prototype && prototype !== Array.prototype) {
    const { kind, name, namespace } = value as Record<string, unknown>;
    if (typeof kind === 'string' && typeof name === 'string')
      return `${kind} ${typeof namespace === 'string' ? `${namespace}/` : ''}${name}`;
    return `(a ${prototype.constructor.name})`;
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export const problem = (out: Found, path: string, value: unknown, text: string) =>
  void out.problems.push(`${path} ${show(value)}: ${text}`);

/** A string; with a rule, one the rule accepts (values that are still tokens are left to plan time). */
export function string(rule?: Rule): Check {
  return (value, path, out) => {
    if (value === undefined) return;
    if (typeof value !== 'string') return problem(out, path, value, `must be a string${rule ? ` (${rule.text})` : ''}`);
    if (rule && !Token.isUnresolved(value) && !rule.test(value)) problem(out, path, value, rule.text);
  };
}

export const required =
  (check: Check): Check =>
  (value, path, out) =>
    value === undefined ? problem(out, path, value, 'is required') : check(value, path, out);

export const boolean: Check = (value, path, out) => {
  if (value !== undefined && typeof value !== 'boolean')
    problem(out, path, value, 'must be true or false (a boolean, not a string)');
};

export const anything: Check = () => undefined;

export function oneOf(values: readonly string[]): Check {
  return (value, path, out) => {
    if (value !== undefined && !values.includes(value as string))
      problem(out, path, value, `is not one of ${values.join(', ')}`);
  };
}

/** A value `test` accepts, described as `what` (such as `a Kustomization`). */
export function is(test: (value: unknown) => boolean, what: string): Check {
  return (value, path, out) => {
    if (value !== undefined && !test(value)) problem(out, path, value, `is not ${what}`);
  };
}

/** A provider configuration to create resources with. */
export const provider = is((v) => v instanceof TerraformProvider, 'a provider (a TerraformProvider)');

/** A list of strings, each problem named by the list (`install.components "x"`). */
export function stringList(item: Check): Check {
  return (value, path, out) => {
    if (value === undefined) return;
    if (!Array.isArray(value)) return problem(out, path, value, 'must be a list of strings, such as ["a", "b"]');
    value.forEach((v) => item(v, path, out));
  };
}

/** A list, each item named by its index (`healthChecks[1].kind`). */
export function list(item: Check): Check {
  return (value, path, out) => {
    if (value === undefined) return;
    if (!Array.isArray(value)) return problem(out, path, value, 'must be a list');
    value.forEach((v, i) => item(v, `${path}[${i}]`, out));
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** An object with keys of its own choosing, such as variables to substitute. */
export function record(item: Check): Check {
  return (value, path, out) => {
    if (value === undefined) return;
    if (!isRecord(value)) return problem(out, path, value, 'must be an object of names and values');
    for (const [key, v] of Object.entries(value)) item(v, `${path}.${key}`, out);
  };
}

/** An object of known fields: an unknown key is refused by name, with the nearest known one. */
export function object(
  fields: Record<string, Check>,
  extra?: (value: Record<string, unknown>, path: string, problems: string[]) => void,
): Check {
  return (value, path, out) => {
    if (value === undefined) return;
    if (!isRecord(value)) return problem(out, path, value, 'must be an object');
    const known = Object.keys(fields);
    for (const key of Object.keys(value).filter((k) => !(k in fields))) {
      const near = nearest(key, known);
      const owner = path || out.owner;
      const of = owner ? ` of ${owner}` : '';
      problem(
        out,
        path ? `${path}.${key}` : key,
        value[key],
        `is not a ${out.noun}${of}; ` +
          (near ? `did you mean ${near}?` : `the ${out.noun}s${of} are ${known.join(', ')}`),
      );
    }
    for (const [key, check] of Object.entries(fields)) check(value[key], path ? `${path}.${key}` : key, out);
    extra?.(value, path, out.problems);
  };
}

/** An object whose `type` picks its other fields. */
export function union(
  variants: Record<string, Record<string, Check>>,
  extra?: (value: Record<string, unknown>, path: string, problems: string[]) => void,
): Check {
  return (value, path, out) => {
    if (value === undefined) return;
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(type in variants))
      return problem(out, `${path}.type`, type, `is not one of ${Object.keys(variants).join(', ')}`);
    object({ type: string(), ...variants[type] }, extra)(value, path, out);
  };
}

/** Every problem of the shape of `value` as data; empty when it has the shape of `fields`. */
export function shapeProblems(value: unknown, fields: Record<string, Check>, noun: string): string[] {
  const out: Found = { problems: [], noun };
  object(fields)(value, '', out);
  return out.problems;
}

/**
 * Checks a construct's props against its table and throws every problem of their shape at once:
 * the construct cannot be built from props of the wrong shape, so value rules wait for the next run.
 */
export function checkProps(subject: string, kind: string, fields: Record<string, Check>, props: unknown): void {
  const problems = new Problems(subject);
  const out: Found = { problems: [], noun: 'prop', owner: kind };
  object(fields)(props ?? {}, '', out);
  out.problems.forEach((p) => problems.add(p));
  problems.throwIfAny();
}
