import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { FluxManifests } from './flux-manifests';

// Writes the TypeScript types of every Flux kind and version the pinned manifests serve, from
// their CRDs' openAPIV3Schema, with the schema's descriptions as TSDoc: the construct props
// derive from them, so every field of a spec can be set and none is listed by hand. Our own small
// generator rather than json-schema-to-typescript: Flux's schemas use a small, regular subset
// (objects, arrays, maps, enums, one preserve-unknown-fields), and the props must be `readonly`
// with named nested interfaces, which that library does not write.

/** Where the generated files live, relative to the repository root. */
export const FLUX_TYPES_DIR = 'lib/flux-types';

/**
 * The manifests the types come from, by directory of FLUX_MANIFESTS_DIR: the default install of
 * the default Flux version, then the image-automation build of it for the kinds only that serves
 * (the kinds both have are byte-identical there, and the generator checks they are).
 */
export const FLUX_TYPES_SOURCES = ['v2.9.4', 'v2.9.4-image-automation'] as const;

interface Schema {
  readonly type?: string;
  readonly description?: string;
  readonly properties?: Record<string, Schema>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly additionalProperties?: Schema | boolean;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
}

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly schema: { readonly openAPIV3Schema: Schema };
}

interface Crd {
  readonly metadata: { readonly name: string };
  readonly spec: { readonly group: string; readonly names: { readonly kind: string }; readonly versions: CrdVersion[] };
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
/** `OCIRepository` → `oci-repository`. */
export const kebab = (kind: string) =>
  kind
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
const snake = (kind: string) => kebab(kind).replace(/-/g, '_').toUpperCase();

/** Breaks a line of prose at spaces so that it fits in `width`; a word longer than that stays whole. */
function wrap(line: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && `${current} ${word}`.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  return [...lines, current];
}

/** A TSDoc block: the description, wrapped (a literal `*` + `/` would end the comment), and the default. */
function doc(schema: Schema, indent: string): string {
  const description = (schema.description ?? '').replace(/\*\//g, '*\\/').trim();
  const lines = description ? description.split('\n').flatMap((l) => wrap(l.trimEnd(), 110 - indent.length)) : [];
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (lines.length === 0) return '';
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

/** The interfaces of one spec: the root, named `name`, and one per nested object. */
class Writer {
  private readonly out: string[] = [];
  private readonly bodies = new Map<string, string>();

  public type(schema: Schema, name: string): string {
    if (schema['x-kubernetes-int-or-string']) return 'number | string';
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v).replace(/"/g, "'")).join(' | ');
    switch (schema.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array':
        return `${this.wrap(this.type(schema.items ?? {}, name))}[]`;
      case 'object':
        if (schema.properties) return this.interface(schema, name);
        if (typeof schema.additionalProperties === 'object')
          return `Record<string, ${this.type(schema.additionalProperties, name)}>`;
        return 'Record<string, unknown>';
      default:
        return 'unknown';
    }
  }

  public interface(schema: Schema, name: string): string {
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties ?? {}).map(([field, child]) => {
      const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `'${field}'`;
      const optional = required.has(field) ? '' : '?';
      return `${doc(child, '  ')}  readonly ${key}${optional}: ${this.type(child, `${name}${pascal(field)}`)};\n`;
    });
    if (schema['x-kubernetes-preserve-unknown-fields']) fields.push('  readonly [field: string]: unknown;\n');
    // The CRDs repeat Flux's shared types (selectors, references): a spec writes each once, first name kept.
    const body = fields.join('');
    const same = this.bodies.get(body);
    if (same) return same;
    this.bodies.set(body, name);
    this.out.push(`${doc(schema, '')}export interface ${name} {\n${body}}\n`);
    return name;
  }

  private wrap(type: string): string {
    return type.includes(' ') ? `(${type})` : type;
  }

  public text(): string {
    // Written depth first; the root reads best first.
    return [...this.out].reverse().join('\n');
  }
}

interface KindSource {
  readonly crd: Crd;
  readonly manifests: FluxManifests;
  readonly directory: string;
}

/** The kinds of the given manifests, each from the first that has it. */
function fluxKinds(sources: readonly { manifests: FluxManifests; directory: string }[]): KindSource[] {
  const kinds = new Map<string, KindSource>();
  for (const { manifests, directory } of sources) {
    for (const object of manifests.objects) {
      if (object.kind !== 'CustomResourceDefinition') continue;
      const crd = object as unknown as Crd;
      if (!crd.spec.group.endsWith('.toolkit.fluxcd.io')) continue;
      const first = kinds.get(crd.metadata.name);
      if (!first) kinds.set(crd.metadata.name, { crd, manifests, directory });
      else if (JSON.stringify(first.crd) !== JSON.stringify(crd)) {
        throw new Error(
          `${crd.metadata.name} differs between ${first.directory} and ${directory}; generate it from one of them`,
        );
      }
    }
  }
  return [...kinds.values()].sort((a, b) => a.crd.spec.names.kind.localeCompare(b.crd.spec.names.kind));
}

function kindFile({ crd, manifests, directory }: KindSource): string {
  const { group, names, versions } = crd.spec;
  const kind = names.kind;
  const parts = [
    `// Generated by \`npm run generate\` (lib/crd-types.ts): do not edit; change the generator or the\n` +
      `// manifests it reads, and run it again. From the CRD ${crd.metadata.name} of\n` +
      `// Flux ${manifests.version}, ${directory}/gotk-components.yaml,\n// sha256 ${manifests.sha256}.\n`,
    `import { FluxKind } from '../flux-kind';\n`,
  ];
  for (const version of versions.filter((v) => v.served)) {
    // The storage version gets the plain names; another served version has its own.
    const prefix = version.storage ? kind : `${kind}${pascal(version.name)}`;
    const spec = version.schema.openAPIV3Schema.properties?.spec ?? { type: 'object' };
    const description = spec.description ?? `The spec of a ${kind}.`;
    const writer = new Writer();
    const specType = writer.interface({ ...spec, description }, `${prefix}Spec`);
    parts.push(writer.text());
    const fields = Object.keys(spec.properties ?? {}).map((f) => `'${f}'`);
    parts.push(
      `/** ${kind} ${group}/${version.name}${version.storage ? '' : ' (not the storage version)'}. */\n` +
        `export const ${snake(kind)}_${version.name.toUpperCase()}: FluxKind<${specType}> = {\n` +
        `  apiVersion: '${group}/${version.name}',\n  kind: '${kind}',\n  specFields: [${fields.join(', ')}],\n};\n`,
    );
  }
  return parts.join('\n');
}

/**
 * Every generated file, by path relative to the repository root, formatted as `npm run format`
 * would: one per kind, and an index re-exporting them.
 */
export async function generateFluxTypes(
  sources: readonly { manifests: FluxManifests; directory: string }[],
): Promise<Map<string, string>> {
  const kinds = fluxKinds(sources);
  const files = new Map<string, string>();
  for (const source of kinds) files.set(`${FLUX_TYPES_DIR}/${kebab(source.crd.spec.names.kind)}.ts`, kindFile(source));
  const index = kinds.map((k) => `export * from './${kebab(k.crd.spec.names.kind)}';\n`).join('');
  files.set(`${FLUX_TYPES_DIR}/index.ts`, `// Generated by \`npm run generate\` (lib/crd-types.ts).\n${index}`);
  const config = (await resolveConfig(join(__dirname, '..', FLUX_TYPES_DIR, 'index.ts'))) ?? {};
  for (const [path, text] of files) files.set(path, await format(text, { ...config, filepath: path }));
  return files;
}
