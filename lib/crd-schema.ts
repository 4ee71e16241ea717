import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { Token } from 'cdktf';
import { kindOrigin } from './flux-components';
import { FluxManifests } from './flux-manifests';
import { cloneObject, KubernetesObject } from './kubernetes-object';
import { nearest } from './rules';
import { show } from './shape';

// Checks custom resources against the openAPIV3Schema of their CRD in the chosen Flux
// manifests, the way the API server does with strict field validation: types, required
// fields, enums, patterns and unknown fields. CEL rules (x-kubernetes-validations) are not
// evaluated here.

// verbose: the schema of a field whose type is wrong, to say what the field takes.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, verbose: true });
const compiled = new WeakMap<FluxManifests, Map<string, ValidateFunction>>();

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
};

/** The API server rejects fields a structural schema does not declare (strict field validation); say so to ajv. */
function closeObjects(schema: Schema): void {
  if (
    schema.properties &&
    schema.additionalProperties === undefined &&
    !schema['x-kubernetes-preserve-unknown-fields']
  ) {
    schema.additionalProperties = false;
  }
  Object.values(schema.properties ?? {}).forEach(closeObjects);
  if (schema.items) closeObjects(schema.items);
  if (typeof schema.additionalProperties === 'object') closeObjects(schema.additionalProperties);
}

type CrdVersion = { name: string; served: boolean; schema: { openAPIV3Schema: Record<string, unknown> } };

function crdVersions(manifests: FluxManifests, apiVersion: string, kind: string): CrdVersion[] | undefined {
  const [group] = apiVersion.split('/');
  const crd = manifests.customResourceDefinition(group, kind);
  return (crd?.spec as { versions: CrdVersion[] } | undefined)?.versions;
}

function servedVersion(manifests: FluxManifests, apiVersion: string, kind: string): CrdVersion | undefined {
  const version = apiVersion.split('/')[1];
  return crdVersions(manifests, apiVersion, kind)?.find((v) => v.name === version && v.served);
}

/**
 * Why `manifests` cannot hold a `kind` of `apiVersion`, naming the fix (the extra component that
 * installs its CRD, or the first Flux release that has it); undefined when they serve it.
 */
export function unservedKind(manifests: FluxManifests, apiVersion: string, kind: string): string | undefined {
  if (servedVersion(manifests, apiVersion, kind)) return undefined;
  const [group] = apiVersion.split('/');
  const { version } = manifests;
  const versions = crdVersions(manifests, apiVersion, kind);
  if (versions) {
    const offered = versions.filter((v) => v.served).map((v) => `${group}/${v.name}`);
    return (
      `Flux ${version} does not serve ${kind} ${apiVersion} (it serves ${offered.join(', ') || 'none'}); ` +
      `choose a Flux version whose ${kind} CRD serves ${apiVersion}`
    );
  }
  const { component, extra, since } = kindOrigin(group, kind);
  const lacks = `the manifests of Flux ${version} have no ${kind} CRD (${group})`;
  if (extra)
    return (
      `${lacks}: it comes with ${component}, an extra component; add ${component} to the install's ` +
      `componentsExtra, with manifests that hold it (flux install --version=${version} ` +
      `--components-extra=${component} --export)`
    );
  if (since) return `${lacks}: Flux has it from ${since} on; set fluxVersion to ${since} or later`;
  return `${lacks}: use manifests of a Flux install that has it${component ? ` (${component})` : ''}`;
}

/** Compiles each CRD version's schema once per manifests, however many objects use it. */
function validatorFor(manifests: FluxManifests, apiVersion: string, kind: string): ValidateFunction {
  const key = `${apiVersion}/${kind}`;
  let byKind = compiled.get(manifests);
  if (!byKind) compiled.set(manifests, (byKind = new Map()));
  const existing = byKind.get(key);
  if (existing) return existing;

  const served = servedVersion(manifests, apiVersion, kind);
  if (!served) throw new Error(unservedKind(manifests, apiVersion, kind));
  const schema = cloneObject(served.schema.openAPIV3Schema) as Schema & { properties: Record<string, Schema> };
  // metadata is checked by our own name and namespace rules; status is never sent.
  delete schema.properties.status;
  closeObjects(schema);
  schema.properties.metadata = { 'x-kubernetes-preserve-unknown-fields': true };
  const validate = ajv.compile(schema);
  byKind.set(key, validate);
  return validate;
}

function valueAt(object: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
      object,
    );
}

/** What the Flux CRDs' patterns ask for, in the user's words. */
function patternText(pattern: string): string {
  const units = /^\^\(\[0-9\]\+\(\\\.\[0-9\]\+\)\?\(([a-z|]+)\)\)\+\$$/.exec(pattern)?.[1];
  if (units) return `is not a duration; use Go syntax such as 10m or 1h30m (units ${units.split('|').join(', ')})`;
  if (pattern === '^(http|https|ssh)://.*$')
    return 'is not a git URL Flux accepts; use ssh://git@github.com/<org>/<repo> or https://github.com/<org>/<repo>';
  return `does not match ${pattern}`;
}

/** What a field of the type the schema asks for is, in the user's words. */
function typeText(schema: { type?: string; items?: { type?: string } } | undefined): string {
  switch (schema?.type) {
    case 'boolean':
      return 'must be true or false (a boolean, not a string)';
    case 'array':
      return schema.items?.type === 'string' ? 'must be a list of strings, such as ["a", "b"]' : 'must be a list';
    case 'object':
      return 'must be an object';
    case 'integer':
      return 'must be a whole number';
    default:
      return `must be a ${schema?.type ?? 'value of another type'}`;
  }
}

/** The field a problem is about, such as `spec.interval`, and the message. */
function describe(error: ErrorObject, object: unknown): SchemaProblem {
  const field = error.instancePath.slice(1).replace(/\//g, '.');
  const value = valueAt(object, error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = error.params.additionalProperty as string;
      const known = Object.keys((error.parentSchema as Schema | undefined)?.properties ?? {});
      const near = nearest(key, known);
      const path = field ? `${field}.${key}` : key;
      const of = field || 'the object';
      return {
        field: path,
        message:
          `${path} ${show((value as Record<string, unknown>)[key])}: is not a field of ${of}; ` +
          (near ? `did you mean ${near}?` : `its fields are ${known.join(', ')}`),
      };
    }
    case 'required': {
      // About the missing field, so that a construct's own rule for it stands in for this one.
      const missing = error.params.missingProperty as string;
      const path = field ? `${field}.${missing}` : missing;
      return { field: path, message: `${field || '(object)'}: missing required field "${missing}"` };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).join(', ');
      return { field, message: `${field}: ${JSON.stringify(value)} is not one of ${allowed}` };
    }
    case 'pattern':
      return { field, message: `${field}: ${JSON.stringify(value)} ${patternText(error.params.pattern as string)}` };
    case 'type':
      return { field, message: `${field} ${show(value)}: ${typeText(error.parentSchema as Schema)}` };
    default:
      return { field, message: `${field}: ${JSON.stringify(value)} ${error.message}` };
  }
}

/** One reason the API server would refuse an object: the field (such as `spec.interval`) and the message. */
export interface SchemaProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * The reasons the API server would refuse `object`, one per problem.
 * Fields whose value is still a token are skipped: they are known only at plan time.
 */
export function schemaProblems(manifests: FluxManifests, object: KubernetesObject): SchemaProblem[] {
  const { apiVersion, kind } = object;
  const validate = validatorFor(manifests, apiVersion, kind);
  if (validate(object)) return [];
  return (validate.errors ?? [])
    .filter((error) => !Token.isUnresolved(valueAt(object, error.instancePath)))
    .map((error) => describe(error, object))
    .map(({ field, message }) => ({
      field,
      message: `${message} (${apiVersion} ${kind} schema of Flux ${manifests.version})`,
    }));
}
