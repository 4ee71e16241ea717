import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformStack, Testing } from 'cdktf';
import { addFluxEnvironment, FluxEnvironmentStacks } from '../../stacks';
import { EnvironmentSettings, KustomizationSettings } from '../../settings';
import { MANIFESTS_DIR } from '../support/manifests';
import { WRONG_SETTINGS, WrongSetting } from '../support/wrong-settings';

/** The message a synth of these environments (and what `wrong` adds) fails with, or undefined if it passes. */
async function refusal(
  settings: Record<string, unknown>[],
  wrong: Pick<WrongSetting, 'build' | 'env'> = {},
): Promise<string | undefined> {
  const saved = { ...process.env };
  try {
    Object.assign(process.env, { TERRAFORM_BINARY_NAME: 'tofu', ...wrong.env });
    const app = Testing.app();
    let stacks: FluxEnvironmentStacks | undefined;
    for (const s of settings) stacks = await addFluxEnvironment(app, s as unknown as EnvironmentSettings);
    if (stacks) wrong.build?.(stacks, app);
    for (const stack of app.node.findAll().filter(TerraformStack.isStack)) Testing.synth(stack as TerraformStack, true);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    process.env = saved;
  }
}

describe('environment settings, as data', () => {
  for (const wrong of WRONG_SETTINGS) {
    test(`fails if given ${wrong.mistake}, naming the setting and the value`, async () => {
      const message = await refusal(wrong.settings, wrong);
      assert.ok(message, 'accepted');
      assert.ok(
        message.includes(wrong.setting.split('.').pop()!),
        `the setting ${wrong.setting} is not named:\n${message}`,
      );
      assert.ok(
        message.includes(wrong.value.replace(/^"|"$/g, '')),
        `the value ${wrong.value} is not named:\n${message}`,
      );
      if (wrong.says) assert.ok(message.includes(wrong.says), `the message does not say "${wrong.says}":\n${message}`);
    });
  }

  test('reports each problem once, all of them at once', async () => {
    const message = await refusal([
      {
        name: 'dev',
        adopt: 'yes',
        gitAuth: { type: 'deploy-key', readonly: true },
        install: { logLevel: 'debug', networkPolicy: 'no' },
      },
    ]);
    assert.equal(
      message,
      [
        'environment "dev": 3 problems:',
        '  install.networkPolicy "no": must be true or false (a boolean, not a string)',
        '  gitAuth.readonly true: is not a setting of gitAuth; did you mean readOnly?',
        '  adopt "yes": must be true or false (a boolean, not a string)',
      ].join('\n'),
    );
  });

  test('accepts every setting in its documented form', async () => {
    const knownHosts =
      '[127.0.0.1]:2222 ecdsa-sha2-nistp256 ' +
      'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNu' +
      'G5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=';
    // Required: a setting added without a check fails to compile here, and one whose check is missing fails.
    const apps: Required<KustomizationSettings> = {
      name: 'apps',
      path: './apps/prod',
      prune: true,
      namespace: 'flux',
      interval: '1h',
      retryInterval: '1m',
      timeout: '5m',
      wait: true,
      force: false,
      targetNamespace: 'apps',
      dependsOn: ['infra'],
      decryption: { provider: 'sops', secretRef: 'sops-age' },
      postBuild: { substitute: { cluster_name: 'prod' }, substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] },
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' }],
      patches: [{ patch: '- op: remove\n  path: /spec/replicas', target: { kind: 'Deployment' } }],
      suspend: false,
      deletionPolicy: 'Delete',
      serviceAccountName: 'deployer',
      readyTimeout: '10m',
      // Fields the construct took only once its props came from the CRD schema.
      buildMetadata: ['originAnnotations'],
      commonMetadata: { labels: { team: 'platform' }, annotations: { owner: 'platform' } },
      components: ['../components/monitoring'],
      healthCheckExprs: [{ apiVersion: 'example.com/v1', kind: 'Widget', current: 'status.ready == true' }],
      ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }],
      ignoreMissingComponents: true,
      images: [{ name: 'nginx', newTag: '1.27' }],
      kubeConfig: { secretRef: { name: 'prod-kubeconfig', key: 'value' } },
      namePrefix: 'prod-',
      nameSuffix: '-eu',
      source: 'platform',
    };
    const all: Required<EnvironmentSettings> = {
      name: 'prod-eu-1',
      fluxVersion: 'v2.9.4',
      manifestsPath: MANIFESTS_DIR,
      githubOrg: 'mark-icy',
      githubRepository: 'infra.new_2',
      branch: 'release/2026-11',
      clusterPath: 'clusters/prod',
      appsPath: './apps/prod',
      kubeconfigPath: '~/.kube/prod',
      kubeContext: 'prod',
      kustomizations: [{ name: 'infra', path: './infrastructure', prune: true }, apps],
      kubernetesClients: 2,
      install: {
        namespace: 'flux',
        registry: 'registry.example.com:5000/mirror/fluxcd',
        imagePullSecret: 'regcred',
        tolerationKeys: ['node-role.kubernetes.io/infra'],
        logLevel: 'debug',
        networkPolicy: false,
        watchAllNamespaces: true,
        clusterDomain: 'k8s.example',
        components: ['source-controller', 'kustomize-controller', 'helm-controller'],
        componentsExtra: [],
      },
      syncSource: { type: 'git' },
      sources: [
        {
          type: 'git',
          name: 'platform',
          url: 'ssh://git@127.0.0.1:2222/mark-icy/platform',
          branch: 'release',
          secretName: 'platform-git',
          interval: '5m',
        },
        {
          type: 'oci',
          name: 'charts',
          url: 'oci://registry.example.com/fleet/apps',
          ref: { semver: '>=1.0.0' },
          secretName: 'regcred',
          provider: 'generic',
          insecure: false,
          interval: '10m',
        },
        {
          type: 'git',
          name: 'team',
          url: 'ssh://git@127.0.0.1:2222/mark-icy/team',
          credentials: { type: 'deploy-key', algorithm: 'ECDSA', readOnly: true },
        },
        { type: 'git', name: 'docs', url: 'https://127.0.0.1/mark-icy/docs', credentials: { type: 'token' } },
        {
          type: 'helm',
          name: 'podinfo',
          url: 'https://stefanprodan.github.io/podinfo',
          credentials: { type: 'token', username: 'flux' },
          interval: '30m',
        },
      ],
      helmReleases: [
        {
          name: 'podinfo',
          source: 'podinfo',
          chart: 'podinfo',
          version: '6.x',
          targetNamespace: 'apps',
          values: { replicaCount: 2 },
        },
      ],
      gitAuth: { type: 'deploy-key', algorithm: 'ED25519', readOnly: false },
      gitHost: { hostname: '127.0.0.1', sshPort: 2222, knownHosts, apiUrl: 'http://127.0.0.1:8080/' },
      adopt: false,
      backend: { type: 's3', bucket: 'platform-tf-state', region: 'eu-west-1', useLockfile: true },
      encryptState: true,
      syncWait: { waitFor: 'source', timeout: '3m' },
    };
    assert.equal(await refusal([all as unknown as Record<string, unknown>]), undefined);
  });
});
