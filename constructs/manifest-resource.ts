import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ITerraformDependable, Token, TerraformProvider, TerraformStack, Tokenization } from 'cdktf';
import { Construct } from 'constructs';
import { describeObject, KubernetesObject, objectAddress } from '../lib/kubernetes-object';
import { storedForm } from '../lib/stored-form';
import { literalValue } from '../lib/terraform-literal';
import { checkFrameworkCopies } from './framework-copies';
import { ImportExisting, manifestImportId } from './import-existing';
import { waitForReady } from './ready-wait';

/** Options of {@link manifestResource}. */
export interface ManifestResourceOptions {
  /** @default - the stack's default kubernetes provider */
  readonly provider?: TerraformProvider;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Take the object over from the cluster (an import block) instead of creating it.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * Wait until Flux reports the object Ready for this spec, for at most this long (a Flux object).
   * @default - no wait
   */
  readonly readyTimeout?: string;
  /** @default - the spec alone; see FluxResourceProps.reconcileOn */
  readonly reconcileOn?: string[];
}

const addressesByStack = new WeakMap<TerraformStack, Map<string, string>>();

/** The folder, inside a stack's synthesized folder, that holds the manifests of its objects. */
export const MANIFEST_FOLDER = 'manifests';

/** How cdk.tf.json reads a manifest file: no template parsing of its text, the same value. */
const manifestReference = (path: string) => `\${jsondecode(file("\${path.module}/${path}"))}`;
const MANIFEST_REFERENCE = /^\$\{jsondecode\(file\("\$\{path\.module\}\/([^"]+)"\)\)\}$/;

const manifestFilesByStack = new WeakMap<TerraformStack, Map<string, unknown>>();

/** The path of the manifest file a `manifest` attribute reads, relative to its stack's folder. */
export function manifestFileOf(manifest: unknown): string | undefined {
  return typeof manifest === 'string' ? MANIFEST_REFERENCE.exec(manifest)?.[1] : undefined;
}

/** The manifest files a stack writes at synth, by path relative to the stack's folder. */
export function manifestFiles(stack: TerraformStack): ReadonlyMap<string, unknown> {
  return manifestFilesByStack.get(stack) ?? new Map();
}

/** Whether a value holds a cdktf token anywhere: a reference Terraform resolves, not data. */
function holdsToken(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number') return Token.isUnresolved(value);
  if (Array.isArray(value)) return value.some(holdsToken);
  if (value && typeof value === 'object')
    return Tokenization.isResolvable(value) || Object.entries(value).some(([k, v]) => holdsToken(k) || holdsToken(v));
  return false;
}

/**
 * The `manifest` attribute of an object. OpenTofu parses every string of cdk.tf.json as a
 * template, several times per command; Flux's CRDs alone hold thousands of strings, which cost
 * ~20% of a first deploy. An object without references is therefore written to a file of its own
 * beside cdk.tf.json (`manifests/<address>.json`) and read with `jsondecode(file(...))`: the same
 * value, never parsed as a template, so its text needs no escaping. An object with references
 * stays inline, its literal text escaped.
 */
function manifestAttribute(resource: Manifest, address: string, object: KubernetesObject): Record<string, unknown> {
  if (holdsToken(object)) return literalValue(object) as unknown as Record<string, unknown>;
  const stack = TerraformStack.of(resource);
  const path = `${MANIFEST_FOLDER}/${address}.json`;
  let files = manifestFilesByStack.get(stack);
  if (!files) {
    manifestFilesByStack.set(stack, (files = new Map()));
    writeAtSynth(stack, files);
  }
  files.set(path, object);
  return Token.asAnyMap(manifestReference(path));
}

/**
 * Writes a stack's manifest files into its synthesized folder, after cdk.tf.json: through the
 * stack's public `synthesizer`, which `App.synth()` calls for every stack, so an app that calls
 * `app.synth()` itself gets them too.
 */
function writeAtSynth(stack: TerraformStack, files: ReadonlyMap<string, unknown>): void {
  const synthesizer = stack.synthesizer;
  stack.synthesizer = {
    synthesize: (session) => {
      synthesizer.synthesize(session);
      const folder = join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      for (const [path, object] of files) {
        const file = join(folder, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(object, null, 2)}\n`);
      }
    },
  };
}

/**
 * One `kubernetes_manifest` for one object, at an address derived from the object's kind,
 * namespace and name. Two constructs that would manage the same object in one stack are refused,
 * since they would fight over it on every apply.
 *
 * What Terraform reads is the object as the API server will store it (canonical quantities),
 * from a file of its own or, when it holds references, inline with its literal text escaped, so
 * that plan parses it and apply reads back what it planned.
 * Every object applies with conflicts forced: Terraform owns the fields it sets, so a field
 * someone changed by hand (or kustomize-controller, before adoption) comes back on the next deploy.
 */
export function manifestResource(
  scope: Construct,
  object: KubernetesObject,
  options: ManifestResourceOptions = {},
): Manifest {
  checkFrameworkCopies(scope);
  const address = objectAddress(object.kind, object.metadata.name, object.metadata.namespace);
  const stack = TerraformStack.of(scope);
  let taken = addressesByStack.get(stack);
  if (!taken) addressesByStack.set(stack, (taken = new Map()));
  const owner = taken.get(address);
  if (owner) {
    throw new Error(
      `${scope.node.path}: ${describeObject(object)} is already managed by ${owner} in this stack; give one of ` +
        `them another name or namespace`,
    );
  }
  taken.set(address, scope.node.path);

  const resource = new Manifest(scope, address, {
    manifest: {},
    provider: options.provider,
    dependsOn: options.dependsOn?.length ? options.dependsOn : undefined,
    fieldManager: { forceConflicts: true },
  });
  resource.overrideLogicalId(address);
  const stored = storedForm(object);
  const manifest = options.readyTimeout
    ? waitForReady(resource, stored, options.readyTimeout, options.reconcileOn)
    : stored;
  resource.manifest = manifestAttribute(resource, address, manifest);
  if (options.adopt) new ImportExisting(scope, resource, manifestImportId(object));
  return resource;
}
