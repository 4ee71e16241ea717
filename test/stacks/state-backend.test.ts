import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TerraformStack, Testing } from 'cdktf';
import { KubernetesBackend } from '../../constructs';
import { StateBackendSettings } from '../../settings';
import { addFluxEnvironment } from '../../stacks';
import '../support/manifests';
import { synthStack } from '../support/synth';

async function terraformBlocks(backend?: StateBackendSettings, encryptState?: boolean) {
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', backend, encryptState });
  return { bootstrap: synthStack(bootstrap), sync: synthStack(sync) };
}

const backendOf = (stack: { terraform: Record<string, unknown> }) =>
  stack.terraform.backend as Record<string, Record<string, unknown>>;

describe('state backends', () => {
  test('keeps state in a local file per stack, by absolute path in the project, never under cdktf.out', async () => {
    const { bootstrap, sync } = await terraformBlocks();
    assert.equal(backendOf(bootstrap).local.path, join(process.cwd(), 'terraform.dev-flux-bootstrap.tfstate'));
    assert.equal(backendOf(sync).local.path, join(process.cwd(), 'terraform.dev-flux-sync.tfstate'));
    const elsewhere = await addFluxEnvironment(Testing.app(), {
      name: 'dev',
      backend: { type: 'local', directory: 'state' },
    });
    assert.equal(
      backendOf(synthStack(elsewhere.bootstrap)).local.path,
      join(process.cwd(), 'state', 'terraform.dev-flux-bootstrap.tfstate'),
    );
  });

  const cases: [string, StateBackendSettings, (stack: string) => Record<string, Record<string, unknown>>][] = [
    [
      's3',
      { type: 's3', bucket: 'tf-state', region: 'eu-west-1' },
      (s) => ({
        s3: {
          bucket: 'tf-state',
          region: 'eu-west-1',
          key: `cdktf-flux/${s}.tfstate`,
          encrypt: true,
          use_lockfile: true,
        },
      }),
    ],
    [
      'gcs',
      { type: 'gcs', bucket: 'tf-state', prefix: 'platform' },
      (s) => ({ gcs: { bucket: 'tf-state', prefix: `platform/${s}` } }),
    ],
    [
      'azurerm',
      { type: 'azurerm', resourceGroupName: 'rg', storageAccountName: 'tfstate', containerName: 'state' },
      (s) => ({
        azurerm: {
          resource_group_name: 'rg',
          storage_account_name: 'tfstate',
          container_name: 'state',
          key: `cdktf-flux/${s}.tfstate`,
        },
      }),
    ],
    [
      'remote (HCP Terraform)',
      { type: 'remote', organization: 'mark-icy' },
      (s) => ({
        remote: { hostname: 'app.terraform.io', organization: 'mark-icy', workspaces: { name: `cdktf-flux-${s}` } },
      }),
    ],
    [
      'kubernetes',
      { type: 'kubernetes' },
      (s) => ({ kubernetes: { secret_suffix: s, namespace: 'kube-system', config_path: '~/.kube/config' } }),
    ],
  ];
  for (const [name, settings, expected] of cases) {
    test(`keeps state in ${name}, one key per stack`, async () => {
      const { bootstrap, sync } = await terraformBlocks(settings);
      assert.deepEqual(backendOf(bootstrap), expected('dev-flux-bootstrap'));
      assert.deepEqual(backendOf(sync), expected('dev-flux-sync'));
    });
  }

  test('fails if the kubernetes backend would keep state in the Flux namespace', async () => {
    await assert.rejects(
      terraformBlocks({ type: 'kubernetes', namespace: 'flux-system' }),
      /dev-flux-bootstrap: backend namespace "flux-system" is the namespace this app creates; it does not exist before the first deploy and destroying the stacks would delete the state with it/,
    );
  });

  test('fails if the kubernetes backend secret suffix ends in -<number>, which the backend appends itself', () => {
    assert.throws(() => new KubernetesBackend(new TerraformStack(Testing.app(), 'state'), { secretSuffix: 'dev-2' }), {
      message:
        'state/backend (kubernetes backend): secretSuffix "dev-2": is not a secret suffix the kubernetes backend ' +
        'accepts; use at most 63 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit ' +
        'and not ending in -<number>: the backend appends -<n> itself when it splits a large state over several ' +
        'Secrets (such as state2 instead of state-2)',
    });
  });

  test('fails if state encryption is asked of Terraform, which has none', async () => {
    const saved = process.env.TERRAFORM_BINARY_NAME;
    process.env.TERRAFORM_BINARY_NAME = 'terraform';
    try {
      await assert.rejects(addFluxEnvironment(Testing.app(), { name: 'dev', encryptState: true }), {
        message:
          'environment "dev": encryptState true needs OpenTofu, but TERRAFORM_BINARY_NAME is "terraform": ' +
          "Terraform has no state encryption and refuses the stacks' encryption block. Set " +
          'TERRAFORM_BINARY_NAME=tofu (OpenTofu 1.7 or later), or turn encryptState off',
      });
      process.env.TERRAFORM_BINARY_NAME = '/opt/tofu/bin/tofu';
      await addFluxEnvironment(Testing.app(), { name: 'dev', encryptState: true });
    } finally {
      if (saved === undefined) delete process.env.TERRAFORM_BINARY_NAME;
      else process.env.TERRAFORM_BINARY_NAME = saved;
    }
  });

  test('encrypts state and plans with OpenTofu state encryption keyed by a sensitive variable', async () => {
    const { bootstrap, sync } = await terraformBlocks({ type: 'kubernetes' }, true);
    for (const stack of [bootstrap, sync]) {
      assert.deepEqual(stack.variable?.state_passphrase.sensitive, true);
      assert.equal(stack.variable?.state_passphrase.default, undefined);
      const encryption = stack.terraform.encryption as Record<string, any>;
      assert.deepEqual(encryption.key_provider, { pbkdf2: { passphrase: { passphrase: '${var.state_passphrase}' } } });
      assert.deepEqual(encryption.state, { method: 'method.aes_gcm.passphrase', enforced: true });
      assert.deepEqual(encryption.plan, { method: 'method.aes_gcm.passphrase', enforced: true });
    }
    // test/e2e/state-backend.e2e.test.ts runs this configuration with the real OpenTofu.
  });
});
