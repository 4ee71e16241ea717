/**
 * Polls `check` every half second until it returns something truthy, which it returns; after
 * `timeoutMs` fails naming `what` and the last error `check` threw. It checks at least once, so
 * with a timeout of 0 it asks whether the condition holds now.
 */
export async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not after ${timeoutMs / 1000} s${last ? ` (${(last as Error).message})` : ''}`);
}
