import { Token } from 'cdktf';

// The rules the API server and the Flux CRDs apply, checked at synth so a bad value never
// reaches a cluster. Values that are still tokens are known only at plan time and are skipped.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// The Flux CRDs' pattern for intervals and timeouts: Go duration syntax without ns/us.
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** Collects the problems of one object so the user sees all of them at once. */
export class Problems {
  private readonly found: string[] = [];

  constructor(private readonly subject: string) {}

  public add(problem: string): void {
    this.found.push(problem);
  }

  /** Throws one error listing every problem, each prefixed with the subject. */
  public throwIfAny(): void {
    if (this.found.length === 0) return;
    const lines = this.found.map((p) => `${this.subject}: ${p}`);
    throw new Error(lines.length === 1 ? lines[0] : `${lines.length} problems:\n  ${lines.join('\n  ')}`);
  }
}

function known(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Object names: DNS-1123 subdomain, at most 253 characters. */
export function checkName(problems: Problems, field: string, value: string | undefined): void {
  if (!known(value)) return;
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    problems.add(
      `${field} "${value}" is not a valid name; use lower-case letters, digits, "-" and ".", starting and ` +
        `ending with a letter or digit (DNS-1123), at most 253 characters`,
    );
  }
}

/** Namespaces: DNS-1123 label, at most 63 characters. */
export function checkNamespace(problems: Problems, field: string, value: string | undefined): void {
  if (!known(value)) return;
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    problems.add(
      `${field} "${value}" is not a valid namespace; use lower-case letters, digits and "-", starting and ` +
        `ending with a letter or digit (DNS-1123 label), at most 63 characters`,
    );
  }
}

/** Intervals and timeouts, as the Flux CRDs accept them. `units` narrows the allowed units. */
export function checkDuration(
  problems: Problems,
  field: string,
  value: string | undefined,
  units = ['ms', 's', 'm', 'h'],
): void {
  if (!known(value)) return;
  const allowed =
    FLUX_DURATION.test(value) && [...value.matchAll(/[0-9.]+([a-z]+)/g)].every((m) => units.includes(m[1]));
  if (!allowed) {
    problems.add(
      `${field} "${value}" is not a duration; use Go syntax such as 10m or 1h30m (units ${units.join(', ')})`,
    );
  }
}

/** Paths inside the source: relative, with no `..` that would leave it. */
export function checkSourcePath(problems: Problems, field: string, value: string | undefined): void {
  if (!known(value)) return;
  const segments = value.split('/');
  if (value === '' || value.startsWith('/') || value.includes('\\') || segments.includes('..')) {
    problems.add(
      `${field} "${value}" is not a path inside the source; use a relative path with "/" such as ./apps/dev, ` +
        `without ".."`,
    );
  }
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
