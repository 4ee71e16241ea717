import { Token } from 'cdktf';

// The rules the API server, Flux and the state backends apply to values that no CRD schema
// states, checked at synth so a bad value never reaches a cluster. Each rule lives here once and
// says what is allowed; settings and construct props both apply it. Values that are still tokens
// are known only at plan time and are skipped.

/** A rule on a string value: what it accepts, and the refusal, which says what is allowed. */
export interface Rule {
  readonly test: (value: string) => boolean;
  /** Follows the value in a message: `is not ...; use ...`. */
  readonly text: string;
}

/** DNS-1123 labels (namespaces, container and volume names), without the length limit. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomains (object names, DNS domains), without the length limit. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Go duration syntax without ns/us, as Flux and the kubernetes provider's timeouts take it.
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** Object names, such as a Secret's: DNS-1123 subdomain. */
export const NAME: Rule = {
  test: (v) => v.length <= 253 && DNS1123_SUBDOMAIN.test(v),
  text:
    'is not a valid name; use lower-case letters, digits, "-" and ".", starting and ending with a letter or ' +
    'digit (DNS-1123), at most 253 characters',
};

/** Namespaces: DNS-1123 label. */
export const NAMESPACE: Rule = {
  test: (v) => v.length <= 63 && DNS1123_LABEL.test(v),
  text:
    'is not a valid namespace; use lower-case letters, digits and "-", starting and ending with a letter or ' +
    'digit (DNS-1123 label), at most 63 characters',
};

/** Names of objects (of `kind`) whose name Flux writes into a label of everything they apply. */
export function labelledName(kind: string, label: string): Rule {
  return {
    test: (v) => v.length <= 63 && DNS1123_SUBDOMAIN.test(v),
    text:
      `is not a valid ${kind} name; use lower-case letters, digits, "-" and ".", starting and ending with a ` +
      `letter or digit, at most 63 characters: Flux writes it into the label ${label} of every object it ` +
      'applies, and a label value holds at most 63',
  };
}

// Label and annotation keys, taint keys: an optional DNS-subdomain prefix and "/", then a name.
const QUALIFIED_NAME = new RegExp(
  `^(${DNS1123_SUBDOMAIN.source.slice(1, -1)}\\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`,
);

/** Keys of labels, annotations and taints: `[prefix/]name`. */
export const QUALIFIED_KEY: Rule = {
  test: (v) => QUALIFIED_NAME.test(v) && v.length <= 253 + 1 + 63,
  text:
    'is not a valid key; use [prefix/]name: a name of at most 63 letters, digits, "-", "_" and ".", starting ' +
    'and ending with a letter or digit, after an optional DNS prefix and "/" (such as ' +
    'node-role.kubernetes.io/infra)',
};

/** Label values: at most 63 letters, digits, "-", "_" and ".", or empty. */
export const LABEL_VALUE: Rule = {
  test: (v) => /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) && v.length <= 63,
  text:
    'is not a valid label value; use at most 63 letters, digits, "-", "_" and ".", starting and ending with a ' +
    'letter or digit',
};

/** Go durations as time.ParseDuration reads them, for controller flags. */
export const GO_DURATION: Rule = {
  test: (v) =>
    /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))*$/.test(v),
  text: 'is not a duration; use Go syntax such as 5s, 1m or 1h30m',
};

/** A duration that is more than nothing, such as a timeout. */
export const POSITIVE_DURATION: Rule = {
  test: (v) => FLUX_DURATION.test(v) && /[1-9]/.test(v),
  text: 'is not a positive duration; use Go syntax such as 5m or 1m30s (units ms, s, m, h)',
};

/** How often Flux reconciles: more than nothing. Applied once the CRD schema has accepted the syntax. */
export const INTERVAL: Rule = {
  test: (v) => /[1-9]/.test(v),
  text: 'is zero; Flux requires a positive interval (how often it reconciles), such as 1m or 10m',
};

/** A branch name as git allows it (git check-ref-format) and Flux follows it: the name alone. */
export const BRANCH: Rule = {
  test: (v) =>
    v !== '' && !/[\s~^:?*[\\]|\.\.|@\{|\/\/|^[-/]|[/.]$|\.lock$/.test(v) && !v.startsWith('refs/') && v !== '@',
  text:
    'is not a branch name Flux can follow; give the name alone, such as main: not empty, without spaces, ' +
    '~ ^ : ? * [ \\, "..", "@{" or "//", not starting with "-", "/" or "refs/", not ending with "/", "." or ".lock"',
};

/** Paths inside a source: relative, with no `..` that would leave it. */
export const SOURCE_PATH: Rule = {
  test: (v) => v !== '' && !v.startsWith('/') && !v.includes('\\') && !v.split('/').includes('..'),
  text: 'is not a path inside the source; use a relative path with "/" such as ./apps/dev, without ".."',
};

/** Collects the problems of one object so the user sees all of them at once, each once. */
export class Problems {
  private readonly found: string[] = [];
  private readonly fields: string[] = [];

  constructor(private readonly subject: string) {}

  /** Adds a problem; with `field`, no later rule reports that field (or a field inside it) again. */
  public add(problem: string, field?: string): void {
    this.found.push(problem);
    if (field) this.fields.push(field);
  }

  /** Whether a problem was reported for `field` or a field that holds it. */
  public reported(field: string): boolean {
    return this.fields.some((f) => field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`));
  }

  /** Throws one error listing every problem, each prefixed with the subject. */
  public throwIfAny(): void {
    if (this.found.length === 0) return;
    throw new Error(listProblems(this.found.map((p) => `${this.subject}: ${p}`)));
  }
}

/** How every refusal lists its problems: the one alone, or `N problems:` and one per line. */
export function listProblems(problems: readonly string[]): string {
  return problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`;
}

/** The problems an error of {@link listProblems} lists; any other error's message as one. */
export function problemsOf(error: Error): string[] {
  return /^\d+ problems:\n/.test(error.message) ? error.message.split('\n  ').slice(1) : [error.message];
}

/** Adds the problem of `field` when `rule` refuses its value, unless that field was already reported. */
export function check(problems: Problems, field: string, value: string | undefined, rule: Rule): void {
  if (value === undefined || Token.isUnresolved(value) || problems.reported(field) || rule.test(value)) return;
  problems.add(`${field} "${value}" ${rule.text}`, field);
}

/**
 * `insecure` (plain http) with a `secretRef`: the credentials would cross the network in the clear.
 * @param credentials - what the Secret holds, such as `the registry credentials`
 * @param server - what to serve over https instead, such as `the registry`
 */
export function checkPlainHttpCredentials(
  problems: Problems,
  props: { readonly insecure?: boolean; readonly secretRef?: { readonly name: string } },
  credentials: string,
  server: string,
): void {
  if (!props.insecure || !props.secretRef) return;
  problems.add(
    `insecure would send ${credentials} of secretRef "${props.secretRef.name}" over plain http; serve ${server} ` +
      'over https',
    'insecure',
  );
}

/** Object names: DNS-1123 subdomain, at most 253 characters. */
export function checkName(problems: Problems, field: string, value: string | undefined): void {
  check(problems, field, value, NAME);
}

/** Namespaces: DNS-1123 label, at most 63 characters. */
export function checkNamespace(problems: Problems, field: string, value: string | undefined): void {
  check(problems, field, value, NAMESPACE);
}

/**
 * The choice a misspelt value most likely meant: the nearest by edit distance, if at most a third
 * of the value's length away, else one the value abbreviates (`helm` for `helm-controller`).
 */
export function nearest(value: string, choices: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length];
  };
  const [best] = [...choices].sort((a, b) => distance(value, a) - distance(value, b));
  if (best !== undefined && distance(value, best) <= Math.max(1, Math.floor(value.length / 3))) return best;
  return choices.find((c) => value.length > 0 && c.startsWith(`${value}-`));
}

/** Normalises `./a/b/` and `a/b` to `a/b`, so paths can be compared. */
export function normalisePath(value: string): string {
  return value
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}
