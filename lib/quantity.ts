// The API server stores resource quantities in canonical form (`1000m` becomes `1`, `"1000"`
// becomes `1k`, `1024Mi` becomes `1Gi`), and the kubernetes provider fails an apply whose result
// differs from its plan. So quantities are synthesized the way the API server will return them.
// This follows k8s.io/apimachinery's Quantity.CanonicalizeBytes.

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** A quantity's value as integer × 10^scale, and the format its suffix asks for. */
function parse(text: string): { value: bigint; scale: number; format: 'decimal' | 'binary' | 'exponent' } | undefined {
  const m = QUANTITY.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign, whole, fraction = '', suffix = ''] = m;
  let value = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
  let scale = -fraction.length;
  if (suffix in BINARY_SUFFIXES) {
    value *= 1024n ** BigInt(BINARY_SUFFIXES[suffix]);
    return { value, scale, format: 'binary' };
  }
  if (/^[eE]/.test(suffix)) return { value, scale: scale + Number(suffix.slice(1)), format: 'exponent' };
  scale += DECIMAL_SUFFIXES[suffix];
  return { value, scale, format: 'decimal' };
}

/** Whether the API server reads `text` as a quantity, such as `500m`, `1Gi` or `2`. */
export function isQuantity(text: string): boolean {
  return parse(text) !== undefined;
}

/** A quantity's value as a number, close enough to compare a request with its limit. */
export function quantityNumber(text: string): number | undefined {
  const q = parse(text);
  return q && Number(q.value) * 10 ** q.scale;
}

/** The form the API server stores a quantity in; text that is not a quantity is returned as is. */
export function canonicalQuantity(text: string): string {
  const q = parse(text);
  if (!q) return text;
  let { value, scale } = q;
  if (value === 0n) return '0';
  // Values below a nano are rounded up to it, as the API server does.
  if (scale < -9) {
    const divisor = 10n ** BigInt(-9 - scale);
    value = value / divisor + (value % divisor === 0n ? 0n : value > 0n ? 1n : -1n);
    scale = -9;
  }
  while (value % 10n === 0n) {
    value /= 10n;
    scale += 1;
  }
  const abs = value < 0n ? -value : value;
  if (q.format === 'binary' && scale >= 0 && abs * 10n ** BigInt(scale) >= 1024n) {
    let whole = value * 10n ** BigInt(scale);
    let power = 0;
    while (power < 6 && whole % 1024n === 0n) {
      whole /= 1024n;
      power += 1;
    }
    return `${whole}${Object.keys(BINARY_SUFFIXES)[power - 1] ?? ''}`;
  }
  // Decimal: the exponent a multiple of 3, the mantissa an integer.
  while (((scale % 3) + 3) % 3 !== 0) {
    value *= 10n;
    scale -= 1;
  }
  if (q.format === 'exponent') return scale === 0 ? `${value}` : `${value}e${scale}`;
  const suffix = Object.entries(DECIMAL_SUFFIXES).find(([, exponent]) => exponent === scale)?.[0];
  if (suffix !== undefined) return `${value}${suffix}`;
  return scale > 18 ? `${value * 10n ** BigInt(scale - 18)}E` : `${value}`;
}
