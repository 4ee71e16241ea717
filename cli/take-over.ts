// Objects a stack declares that exist on the cluster but are not in its state: left by an apply
// whose state was never written (a kill -9, a machine that died) or an answer that was lost, or
// by state that was deleted. OpenTofu would refuse each with "Cannot create resource that already
// exists" on every run; cdktf-flux deploy takes them over instead, with import blocks for that one
// apply, when this stack (field manager Terraform) or Flux's own install made them.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestImportId } from '../constructs/import-existing';
import { manifestFileOf } from '../constructs/manifest-resource';
import { kubernetesClient, stackCluster } from './flux-sync-status';

/** The file the import blocks go to, beside cdk.tf.json, for one apply. */
export const TAKE_OVER_FILE = 'cdktf-flux-take-over.tf.json';

interface ManifestJson {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

interface LiveMeta {
  metadata: { labels?: Record<string, string>; managedFields?: { manager?: string }[] };
}

/** An object to take over, or one that is in the way. */
export interface Found {
  readonly address: string;
  readonly label: string;
  readonly importId: string;
  readonly provider?: string;
}

/**
 * Whether this stack or Flux's install made the object: the kubernetes provider's field managers
 * (`Terraform` for kubernetes_manifest's server-side apply, `HashiCorp`, its client's user agent,
 * for kubernetes_secret_v1), or Flux's install labels.
 */
export function madeByUs(live: LiveMeta): boolean {
  return (
    (live.metadata.managedFields ?? []).some((f) => f.manager === 'Terraform' || f.manager === 'HashiCorp') ||
    live.metadata.labels?.['app.kubernetes.io/part-of'] === 'flux'
  );
}

interface StackJson {
  variable?: Record<string, { default?: string }>;
  import?: { to: string }[];
  resource?: {
    kubernetes_manifest?: Record<string, { manifest: unknown; provider?: string }>;
    kubernetes_secret_v1?: Record<string, { metadata: { name: string; namespace?: string }; provider?: string }>;
  };
}

/** The Kubernetes objects a stack declares, by address, with the id their resource type imports. */
function declaredObjects(dir: string, config: StackJson) {
  const manifests = Object.entries(config.resource?.kubernetes_manifest ?? {}).map(([name, resource]) => {
    const path = manifestFileOf(resource.manifest);
    const manifest = (path ? JSON.parse(readFileSync(join(dir, path), 'utf8')) : resource.manifest) as ManifestJson;
    const importId = manifestImportId(manifest);
    return { address: `kubernetes_manifest.${name}`, ...manifest, importId, provider: resource.provider };
  });
  const secrets = Object.entries(config.resource?.kubernetes_secret_v1 ?? {}).map(([name, resource]) => ({
    address: `kubernetes_secret_v1.${name}`,
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: resource.metadata,
    importId: `${resource.metadata.namespace ?? 'default'}/${resource.metadata.name}`,
    provider: resource.provider,
  }));
  return [...manifests, ...secrets];
}

/**
 * The stack's Kubernetes objects that are on the cluster but not in state, split into those this
 * stack or Flux's install made (`takeOver`) and the rest (`inTheWay`).
 */
export async function objectsNotInState(
  dir: string,
  inState: ReadonlySet<string>,
): Promise<{ takeOver: Found[]; inTheWay: Found[] }> {
  const config = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as StackJson;
  const importing = new Set((config.import ?? []).map((i) => i.to));
  const declared = declaredObjects(dir, config);
  // A name still to be resolved by OpenTofu cannot be looked up here.
  const candidates = declared.filter(
    (o) => !inState.has(o.address) && !importing.has(o.address) && !JSON.stringify(o.metadata).includes('${'),
  );
  const found = { takeOver: [] as Found[], inTheWay: [] as Found[] };
  if (candidates.length === 0) return found;
  const client = await kubernetesClient(stackCluster(config));
  // All at once: on a first deploy every object is a candidate.
  const lives = await Promise.all(
    candidates.map(async ({ apiVersion, kind, metadata }) => {
      try {
        return (await client.read({ apiVersion, kind, metadata })) as unknown as LiveMeta;
      } catch (error) {
        // Not there (to be created), or a kind the cluster does not serve yet.
        const code = (error as { code?: number }).code;
        if (code === 404 || /Unrecognized API version and kind/.test(String(error))) return undefined;
        throw error;
      }
    }),
  );
  candidates.forEach(({ address, kind, metadata, importId, provider }, i) => {
    const live = lives[i];
    if (!live) return;
    const label = `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
    (madeByUs(live) ? found.takeOver : found.inTheWay).push({ address, label, importId, provider });
  });
  return found;
}

/** Writes the import blocks for one apply; returns the function that removes them. */
export function writeTakeOver(dir: string, objects: readonly Found[]): () => void {
  const file = join(dir, TAKE_OVER_FILE);
  const blocks = objects.map((o) => ({
    to: o.address,
    id: o.importId,
    ...(o.provider ? { provider: o.provider } : {}),
  }));
  writeFileSync(file, `${JSON.stringify({ import: blocks }, null, 2)}\n`);
  return () => rmSync(file, { force: true });
}
