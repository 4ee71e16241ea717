import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { GitRepository, Kustomization, RECONCILE_REQUEST_ANNOTATION } from '../../constructs';
import { addFluxEnvironment, localStatePath } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import { assertSnapshot } from '../support/snapshot';
import { manifestsOf, synthStack } from '../support/synth';
import { manifests } from '../support/manifests';

async function sync(settings: EnvironmentSettings = { name: 'dev' }) {
  return (await addFluxEnvironment(Testing.app(), settings)).sync;
}

const flux = (path: string, interval: string, retryInterval: string, timeout: string, dependsOn?: string) => ({
  interval,
  retryInterval,
  timeout,
  sourceRef: { kind: 'GitRepository', name: 'flux-system' },
  path,
  prune: true,
  ...(dependsOn ? { dependsOn: [{ name: dependsOn }] } : {}),
});

describe('FluxSyncStack', () => {
  test('reproduces the dev GitRepository and the four Kustomizations exactly', async () => {
    const objects = manifestsOf(synthStack(await sync()));
    assert.deepEqual(Object.keys(objects).sort(), [
      'gitrepository_flux-system_flux-system',
      'kustomization_flux-system_apps',
      'kustomization_flux-system_infra-controllers',
      'kustomization_flux-system_infra-prereqs',
      'kustomization_flux-system_secrets',
    ]);
    // Beside the HCL's fields, each asks Flux for a reconcile of its spec (test/constructs/ready-wait.test.ts).
    const metadata = (o: Record<string, any>) => {
      const { [RECONCILE_REQUEST_ANNOTATION]: request, ...others } = o.metadata.annotations;
      assert.match(request, /^(\$\{sha1\(.*\)\}|[0-9a-f]{40})$/);
      return { ...o.metadata, annotations: others };
    };
    const repo = objects['gitrepository_flux-system_flux-system'];
    assert.equal(repo.apiVersion, 'source.toolkit.fluxcd.io/v1');
    assert.deepEqual(metadata(repo), { name: 'flux-system', namespace: 'flux-system', annotations: {} });
    assert.deepEqual(repo.spec, {
      url: '${data.terraform_remote_state.bootstrap.outputs.repository_url}',
      interval: '1m0s',
      ref: { branch: '${var.git_branch}' },
      secretRef: { name: 'flux-system' },
    });
    const spec = (name: string) => {
      const k = objects[`kustomization_flux-system_${name}`];
      assert.equal(k.apiVersion, 'kustomize.toolkit.fluxcd.io/v1');
      assert.deepEqual(metadata(k), { name, namespace: 'flux-system', annotations: {} });
      return k.spec;
    };
    assert.deepEqual(spec('infra-controllers'), flux('./infrastructure/controllers', '10m0s', '1m0s', '5m0s'));
    assert.deepEqual(
      spec('infra-prereqs'),
      flux('./infrastructure/prereqs', '10m0s', '1m0s', '5m0s', 'infra-controllers'),
    );
    assert.deepEqual(spec('apps'), flux('./apps/dev', '1h', '1m', '5m'));
    assert.deepEqual(spec('secrets'), flux('./secrets', '10m', '1m', '5m'));
  });

  test('declares git_branch defaulting to main, and reads the repository from the bootstrap state', async () => {
    const stack = await sync();
    const { variable, data } = synthStack(stack);
    assert.deepEqual(Object.keys(variable ?? {}).sort(), ['git_branch', 'kube_context', 'kubeconfig_path']);
    assert.equal(variable?.git_branch.default, 'main');
    const state = data?.terraform_remote_state.bootstrap ?? {};
    assert.deepEqual([state.backend, state.config.path], ['local', localStatePath('dev-flux-bootstrap')]);
    assert.deepEqual(state.defaults, { repository_url: '', credentials_version: '' });
    assert.deepEqual(state.lifecycle.postcondition, [
      {
        condition: '${self.outputs.repository_url != ""}',
        error_message:
          'dev-flux-sync reads the repository from the state of dev-flux-bootstrap, which has none: ' +
          'deploy dev-flux-bootstrap first (npx cdktf-flux deploy dev-flux-bootstrap dev-flux-sync)',
      },
    ]);
  });

  test('depends on the bootstrap stack, whose CRDs must exist before its objects are planned', async () => {
    const stack = await sync();
    assert.deepEqual(
      stack.dependencies.map((s) => s.node.id),
      ['dev-flux-bootstrap'],
    );
  });

  test('uses an https URL with HTTPS token auth', async () => {
    const { bootstrap } = await addFluxEnvironment(Testing.app(), { name: 'dev', gitAuth: { type: 'https-token' } });
    const { output } = synthStack(bootstrap);
    assert.equal(output?.repository_url.value, 'https://github.com/${var.github_org}/${var.github_repository}');
  });

  for (const path of [undefined, './', './clusters', 'clusters/dev/', './clusters/dev/flux-system/patches']) {
    test(`fails if a Kustomization would apply the cluster folder flux bootstrap used (path ${path})`, async () => {
      const stack = await sync();
      new Kustomization(stack, 'cluster', {
        manifests: manifests(),
        sourceRef: stack.source,
        prune: true,
        path,
      });
      assert.throws(
        () => synthStack(stack),
        new RegExp(
          `Kustomization flux-system/cluster: path "${(path ?? '(root)').replace(/[.()]/g, '\\$&')}" applies clusters/dev/flux-system, where flux bootstrap keeps Flux's own objects; Terraform owns those now`,
        ),
      );
    });
  }

  test('fails if the apps path is the cluster folder', async () => {
    const stack = await sync({ name: 'dev', appsPath: './clusters/dev' });
    assert.throws(
      () => synthStack(stack),
      /Kustomization flux-system\/apps: path ".\/clusters\/dev" applies clusters\/dev\/flux-system/,
    );
  });

  test('accepts paths beside the cluster folder', async () => {
    const stack = await sync();
    new Kustomization(stack, 'cluster-apps', {
      manifests: manifests(),
      sourceRef: stack.source,
      prune: true,
      path: './clusters/dev-apps',
    });
    new Kustomization(stack, 'cluster-extra', {
      manifests: manifests(),
      sourceRef: stack.source,
      prune: true,
      path: './clusters/dev/extra',
    });
    assert.equal(Object.keys(manifestsOf(synthStack(stack))).length, 7);
  });

  test('fails if an object is outside the Flux namespace while watchAllNamespaces is off', async () => {
    const stack = await sync({ name: 'dev', install: { watchAllNamespaces: false } });
    new Kustomization(stack, 'team-a', {
      manifests: manifests(),
      sourceRef: stack.source,
      prune: true,
      namespace: 'team-a',
      path: './teams/a',
    });
    assert.throws(
      () => synthStack(stack),
      /Kustomization team-a\/team-a: namespace "team-a" is not watched, since the install sets watchAllNamespaces to false and Flux would never reconcile it; put it in "flux-system"/,
    );
    const watched = await sync({ name: 'dev' });
    new Kustomization(watched, 'team-a', {
      manifests: manifests(),
      sourceRef: watched.source,
      prune: true,
      namespace: 'team-a',
      path: './teams/a',
    });
    assert.equal(Object.keys(manifestsOf(synthStack(watched))).length, 6);
  });

  test("puts a Flux object a user adds in the install's namespace, not flux-system", async () => {
    const stack = await sync({ name: 'dev', install: { namespace: 'flux' } });
    const shared = new GitRepository(stack, 'shared', { url: 'https://github.com/mark-icy/shared' });
    new Kustomization(stack, 'monitoring', { sourceRef: shared, path: './monitoring', prune: true });
    const objects = manifestsOf(synthStack(stack));
    assert.equal(objects['gitrepository_flux_shared'].metadata.namespace, 'flux');
    assert.equal(objects['gitrepository_flux_flux-system'].metadata.namespace, 'flux');
    assert.deepEqual(objects['kustomization_flux_monitoring'].spec.sourceRef, {
      kind: 'GitRepository',
      name: 'shared',
    });
  });

  test('matches the reviewed snapshot', async () => {
    const synthesized = synthStack(await sync());
    assertSnapshot(__dirname, 'dev-flux-sync', {
      variables: synthesized.variable,
      provider: synthesized.provider,
      objects: manifestsOf(synthesized),
    });
  });
});
