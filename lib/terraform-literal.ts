// Every string in cdk.tf.json is a Terraform template: `${...}` interpolates and `%{...}` is a
// directive, in attribute values and in object keys alike. Text that is not ours (Flux's CRD
// descriptions document postBuild as `${var:=default}`) must be escaped to `$${` and `%%{`, or
// plan stops with "Extra characters after interpolation expression".

// cdktf's own tokens (`${TfToken[TOKEN.12]}`) become references at synth: they stay as they are.
const TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

function escapeText(text: string): string {
  return text.replace(/([$%])\{/g, '$1$1{');
}

/** A string Terraform reads back exactly as written, tokens left to resolve. */
export function literalString(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    out += escapeText(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeText(text.slice(last));
}

/**
 * A deep copy of a JSON value with every string and key made literal. Objects that are not
 * plain data (cdktf's lazy values) are kept as they are: they resolve to references.
 */
export function literalValue<T>(value: T): T {
  if (typeof value === 'string') return literalString(value) as T;
  if (Array.isArray(value)) return value.map((v) => literalValue(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [literalString(k), literalValue(v)])) as T;
  }
  return value;
}

const ROOTS = new Set(['var', 'local', 'data', 'self', 'module', 'each', 'count', 'path', 'terraform']);
// What OpenTofu's state encryption block refers to.
ROOTS.add('key_provider').add('method');
const KEYWORDS = new Set(['null', 'true', 'false']);

/**
 * Whether a `${...}` body is an expression of ours: references (`var.x`, `data.t.n.a`,
 * `tls_private_key.k.public_key_openssh`), function calls, literals and operators. Flux's own
 * notation (`${var:=default}`, `${var/a/b}`, a bare `${name}`) is not.
 */
function isOurExpression(body: string): boolean {
  const code = body.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (code.includes(':') && !code.includes('?')) return false;
  for (const match of code.matchAll(/[A-Za-z_][\w-]*((?:\.[\w-]+|\[\d+\])*)\s*(\()?/g)) {
    const [whole, traversal, call] = match;
    const root = whole.replace(/[.[(\s].*$/s, '');
    if (call || KEYWORDS.has(root)) continue;
    const resourceType = /^[a-z0-9]+_[a-z0-9_]+$/.test(root);
    if (!traversal || !(ROOTS.has(root) || resourceType)) return false;
  }
  return true;
}

/**
 * The template sequences of a synthesized string that are not ours: what Terraform would try,
 * and fail, to evaluate.
 */
export function strayTemplates(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(\$+|%+)\{([^}]*)\}?/g)) {
    const [whole, run, body] = match;
    if (run.length % 2 === 0) continue; // $${ and %%{ are escapes
    if (run.endsWith('$') && whole.endsWith('}') && isOurExpression(body)) continue;
    found.push(whole.slice(run.length - 1));
  }
  return found;
}
