// The fields the API server stores in a list item of an object's spec that the synthesized
// object does not set. The kubernetes provider plans an update by list index and fills each such
// field from the prior object, so it would travel to whichever item moves into that index
// (lib/stored-form.ts says why); the synthesized objects must leave none.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function missing(synthesized: unknown, live: unknown, path: string, inItem: boolean): string[] {
  if (Array.isArray(live)) {
    if (!Array.isArray(synthesized)) return inItem ? [path] : [];
    return live.flatMap((item, i) => missing(synthesized[i], item, `${path}/${i}`, true));
  }
  if (isObject(live)) {
    if (!isObject(synthesized)) return inItem && synthesized === undefined ? leaves(live, path) : [];
    return Object.entries(live).flatMap(([k, v]) => missing(synthesized[k], v, `${path}/${k}`, inItem));
  }
  return inItem && synthesized === undefined ? [path] : [];
}

const leaves = (value: Json, path: string): string[] =>
  Object.entries(value).flatMap(([k, v]) => (isObject(v) ? leaves(v, `${path}/${k}`) : [`${path}/${k}`]));

/** JSON pointers of the fields `live.spec` holds inside list items that `synthesized.spec` lacks. */
export function listItemFieldsNotSynthesized(synthesized: Json, live: Json): string[] {
  return missing(synthesized.spec, live.spec, '/spec', false);
}
