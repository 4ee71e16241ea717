import { resolve } from 'node:path';
import {
  AzurermBackend,
  GcsBackend,
  LocalBackend,
  RemoteBackend,
  S3Backend,
  TerraformBackend,
  TerraformStack,
  TerraformVariable,
} from 'cdktf';
import { KubernetesBackend } from '../constructs/kubernetes-backend';
import { StateBackendSettings } from '../settings';

/** Where the local backend keeps a stack's state: an absolute path, in the project by default. */
export function localStatePath(stack: string, directory = process.cwd()): string {
  return resolve(directory, `terraform.${stack}.tfstate`);
}

/** Sets the backend of `stack` from the environment's settings. */
export function useStateBackend(
  stack: TerraformStack,
  backend: StateBackendSettings,
  options: { kubeconfigPath: string; fluxNamespace: string },
): TerraformBackend {
  const name = stack.node.id;
  if (backend.type === 'kubernetes' && (backend.namespace ?? 'kube-system') === options.fluxNamespace) {
    throw new Error(
      `${name}: backend namespace "${options.fluxNamespace}" is the namespace this app creates; it does not ` +
        `exist before the first deploy ` +
        `and destroying the stacks would delete the state with it. Use a namespace that outlives Flux, such as ` +
        `kube-system`,
    );
  }
  switch (backend.type) {
    case 'local':
      return new LocalBackend(stack, { path: localStatePath(name, backend.directory) });
    case 's3': {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        region: backend.region,
        key: `${backend.keyPrefix ?? 'cdktf-flux/'}${name}.tfstate`,
        encrypt: backend.encrypt ?? true,
      });
      // cdktf 0.21 predates S3 native locking (Terraform 1.10, OpenTofu 1.10); set it directly.
      s3.addOverride('use_lockfile', backend.useLockfile ?? true);
      return s3;
    }
    case 'gcs':
      return new GcsBackend(stack, { bucket: backend.bucket, prefix: `${backend.prefix ?? 'cdktf-flux'}/${name}` });
    case 'azurerm':
      return new AzurermBackend(stack, {
        resourceGroupName: backend.resourceGroupName,
        storageAccountName: backend.storageAccountName,
        containerName: backend.containerName,
        key: `${backend.keyPrefix ?? 'cdktf-flux/'}${name}.tfstate`,
      });
    case 'remote':
      return new RemoteBackend(stack, {
        hostname: backend.hostname ?? 'app.terraform.io',
        organization: backend.organization,
        workspaces: { name: `${backend.workspacePrefix ?? 'cdktf-flux-'}${name}` },
      });
    case 'kubernetes':
      return new KubernetesBackend(stack, {
        secretSuffix: name,
        namespace: backend.namespace ?? 'kube-system',
        configPath: backend.configPath ?? options.kubeconfigPath,
        configContext: backend.configContext,
      });
  }
}

/**
 * OpenTofu state and plan encryption (OpenTofu 1.7 and later): AES-GCM with a key derived by
 * PBKDF2 from the sensitive variable `state_passphrase` (TF_VAR_state_passphrase), so state
 * and saved plans, which hold the deploy key's private half, are encrypted wherever they are kept.
 * @see https://opentofu.org/docs/language/state/encryption/
 */
export function encryptState(stack: TerraformStack): void {
  new TerraformVariable(stack, 'state_passphrase', {
    type: 'string',
    sensitive: true,
    description:
      'Passphrase state and plans are encrypted with (OpenTofu state encryption, at least 16 characters); set ' +
      'TF_VAR_state_passphrase',
  });
  stack.addOverride('terraform.encryption', {
    key_provider: { pbkdf2: { passphrase: { passphrase: '${var.state_passphrase}' } } },
    method: { aes_gcm: { passphrase: { keys: '${key_provider.pbkdf2.passphrase}' } } },
    // A bare traversal, not "${...}": in JSON syntax OpenTofu reads `method` as a static reference.
    state: { method: 'method.aes_gcm.passphrase', enforced: true },
    plan: { method: 'method.aes_gcm.passphrase', enforced: true },
    // The sync stack reads the bootstrap stack's (encrypted) state for the repository URL.
    remote_state_data_sources: { default: { method: 'method.aes_gcm.passphrase' } },
  });
}
