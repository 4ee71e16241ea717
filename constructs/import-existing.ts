import { TerraformElement, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A Terraform `import` block: on the next plan, Terraform takes the existing object `id` into
 * state at `resource`'s address instead of creating it, and updates it in place from there on.
 * Once the object is in state the block does nothing, so it can stay. (cdktf's own importFrom
 * runs the terraform binary at synth to check its version; this needs no binary.)
 */
export class ImportExisting extends TerraformElement {
  constructor(
    scope: Construct,
    private readonly resource: TerraformResource,
    private readonly importId: string,
  ) {
    super(scope, `import-${resource.node.id}`);
  }

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
