import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ITerraformDependable, TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { describeObject, KubernetesObject, objectAddress } from '../lib/kubernetes-object';
import { storedForm } from '../lib/stored-form';
import { literalValue } from '../lib/terraform-literal';
import { ImportExisting, manifestImportId } from './import-existing';

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
}

const addressesByStack = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * One `kubernetes_manifest` for one object, at an address derived from the object's kind,
 * namespace and name. Two constructs that would manage the same object in one stack are refused,
 * since they would fight over it on every apply.
 *
 * What Terraform reads is the object as the API server will store it (canonical quantities),
 * with literal text escaped, so that plan parses it and apply reads back what it planned.
 * Every object applies with conflicts forced: Terraform owns the fields it sets, so a field
 * someone changed by hand (or kustomize-controller, before adoption) comes back on the next deploy.
 */
export function manifestResource(
  scope: Construct,
  object: KubernetesObject,
  options: ManifestResourceOptions = {},
): Manifest {
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
    manifest: literalValue(storedForm(object)),
    provider: options.provider,
    dependsOn: options.dependsOn?.length ? options.dependsOn : undefined,
    fieldManager: { forceConflicts: true },
  });
  resource.overrideLogicalId(address);
  if (options.adopt) new ImportExisting(scope, resource, manifestImportId(object));
  return resource;
}
