import { TerraformElement, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A Terraform `import` block: on the next plan, Terraform takes the existing object `id` into
 * state at `resource`'s address instead of creating it, and updates it in place from there on.
 * Once the object is in state the block does nothing, so it can stay. (cdktf's own importFrom
 * runs the terraform binary at synth to check its version; this needs no binary.)
 */
export class ImportExisting extends TerraformElement {
  /**
   * @param scope - where the block goes: the resource's stack, or a construct in it
   * @param resource - the resource the existing object is imported into
   * @param importId - the id the resource type imports by: `<namespace>/<name>` for a Secret,
   * `apiVersion=apps/v1,kind=Deployment,namespace=flux-system,name=source-controller` for a
   * `kubernetes_manifest`
   */
  constructor(
    scope: Construct,
    private readonly resource: TerraformResource,
    private readonly importId: string,
  ) {
    super(scope, `import-${resource.node.id}`);
  }

  /**
   * The `import` block, `{ to, id, provider }`: `to` the resource's address, `provider` its
   * provider configuration when that has an alias. Called by cdktf at synth.
   */
  public override toTerraform(): Record<string, unknown> {
    const to = `${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}`;
    // Read at synth, after aspects: an import goes through the resource's own provider configuration.
    const provider = this.resource.provider?.alias ? this.resource.provider.fqn : undefined;
    return { import: [{ to, id: this.importId, ...(provider ? { provider } : {}) }] };
  }
}

/** The import id the kubernetes provider's `kubernetes_manifest` takes. */
export function manifestImportId(object: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): string {
  const { name, namespace } = object.metadata;
  return [
    `apiVersion=${object.apiVersion}`,
    `kind=${object.kind}`,
    ...(namespace ? [`namespace=${namespace}`] : []),
    `name=${name}`,
  ].join(',');
}
