import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { GitRepository, Kustomization, KustomizationProps } from '../../constructs';
import { buildEveryField } from '../support/every-field';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');

function source(scope: Construct, namespace = 'flux-system'): GitRepository {
  return new GitRepository(scope, 'flux-system', {
    manifests: v294,
    namespace,
    url: 'ssh://git@github.com/mark-icy/infra-new',
  });
}

function kustomization(props: Partial<KustomizationProps> = {}) {
  const objects = manifestsOf(
    synthConstructs(
      (scope) => new Kustomization(scope, 'apps', { manifests: v294, sourceRef: source(scope), prune: true, ...props }),
    ),
  );
  return objects['kustomization_flux-system_apps'];
}

describe('Kustomization', () => {
  test('renders a kustomize.toolkit.fluxcd.io/v1 Kustomization in the namespace of its source', () => {
    assert.deepEqual(kustomization({ path: './apps/dev' }), {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        path: './apps/dev',
        prune: true,
      },
    });
  });

  test('renders every spec field under its upstream name', () => {
    const spec = manifestsOf(synthConstructs((scope) => buildEveryField(scope, v294)))['kustomization_flux-system_apps']
      .spec;
    assert.deepEqual(spec, {
      interval: '1h',
      retryInterval: '1m',
      timeout: '5m',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      path: './apps/dev',
      prune: true,
      wait: true,
      force: true,
      targetNamespace: 'apps',
      dependsOn: [{ name: 'infra' }],
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' }, serviceAccountName: 'sops-kms' },
      postBuild: {
        substitute: { cluster: 'dev' },
        substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars', optional: true }],
      },
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' }],
      patches: [
        { patch: '- op: remove\n  path: /spec/replicas', target: { kind: 'Deployment', labelSelector: 'app=web' } },
      ],
      suspend: false,
      deletionPolicy: 'WaitForTermination',
      serviceAccountName: 'deployer',
      components: ['../components/monitoring'],
      ignoreMissingComponents: true,
      images: [{ name: 'web', newName: 'registry.example.com/web', newTag: '1.2.3' }],
      namePrefix: 'dev-',
      nameSuffix: '-a',
      commonMetadata: { labels: { team: 'platform' }, annotations: { owner: 'platform@example.com' } },
      kubeConfig: { secretRef: { name: 'remote-cluster', key: 'value' } },
      healthCheckExprs: [{ apiVersion: 'example.com/v1', kind: 'Widget', current: 'status.ready == true' }],
      buildMetadata: ['originAnnotations'],
    });
  });

  test('takes every field of the CRD schema, such as those the hand-written props lacked', () => {
    const spec = kustomization({
      components: ['../components/monitoring'],
      images: [{ name: 'nginx', newTag: '1.27' }],
      namePrefix: 'dev-',
      nameSuffix: '-eu',
      commonMetadata: { labels: { team: 'platform' } },
      kubeConfig: { secretRef: { name: 'remote-kubeconfig', key: 'value' } },
    }).spec;
    assert.deepEqual(spec, {
      interval: '10m',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      prune: true,
      commonMetadata: { labels: { team: 'platform' } },
      components: ['../components/monitoring'],
      images: [{ name: 'nginx', newTag: '1.27' }],
      kubeConfig: { secretRef: { name: 'remote-kubeconfig', key: 'value' } },
      namePrefix: 'dev-',
      nameSuffix: '-eu',
    });
  });

  test('hashes dependsOn added later into the reconcile request, and checks it at synth', () => {
    const objects = manifestsOf(
      synthConstructs((scope) => {
        const repo = source(scope);
        const infra = new Kustomization(scope, 'infra', { manifests: v294, sourceRef: repo, prune: true });
        new Kustomization(scope, 'apps', { manifests: v294, sourceRef: repo, prune: true }).addDependsOn(infra);
      }),
    );
    assert.deepEqual(objects['kustomization_flux-system_apps'].spec.dependsOn, [{ name: 'infra' }]);
  });

  test('refers to its source and dependencies by construct, with namespaces only across namespaces', () => {
    const objects = manifestsOf(
      synthConstructs((scope) => {
        const repo = source(scope);
        const infra = new Kustomization(scope, 'infra', { manifests: v294, sourceRef: repo, prune: true });
        const shared = new Kustomization(scope, 'shared', {
          manifests: v294,
          sourceRef: repo,
          prune: true,
          namespace: 'platform',
        });
        const apps = new Kustomization(scope, 'apps', {
          manifests: v294,
          sourceRef: repo,
          prune: true,
          namespace: 'team-a',
          dependsOn: [infra],
        });
        apps.addDependsOn(shared);
      }),
    );
    const apps = objects['kustomization_team-a_apps'].spec;
    assert.deepEqual(apps.sourceRef, { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' });
    assert.deepEqual(apps.dependsOn, [
      { name: 'infra', namespace: 'flux-system' },
      { name: 'shared', namespace: 'platform' },
    ]);
  });

  test('skips values that are tokens, known only at plan time', () => {
    const synthesized = synthConstructs((scope) => {
      const path = new TerraformVariable(scope, 'path', { type: 'string' }).stringValue;
      new Kustomization(scope, 'apps', { manifests: v294, sourceRef: source(scope), prune: true, path });
    });
    assert.equal(manifestsOf(synthesized)['kustomization_flux-system_apps'].spec.path, '${var.path}');
  });

  for (const field of ['interval', 'retryInterval', 'timeout'] as const) {
    test(`fails if ${field} is not a duration, once`, () => {
      assert.throws(() => kustomization({ [field]: '10 minutes' }), {
        message:
          `test/apps (Kustomization flux-system/apps): spec.${field}: "10 minutes" is not a duration; use Go ` +
          `syntax such as 10m or 1h30m (units ms, s, m, h) (kustomize.toolkit.fluxcd.io/v1 Kustomization schema ` +
          `of Flux v2.9.4)`,
      });
    });
  }

  test('fails if interval is zero, which Flux refuses', () => {
    assert.throws(() => kustomization({ interval: '0m0s' }), {
      message:
        'test/apps (Kustomization flux-system/apps): interval "0m0s" is zero; Flux requires a positive interval ' +
        '(how often it reconciles), such as 1m or 10m',
    });
  });

  test('fails if the name is longer than a label value, which Flux writes it into', () => {
    const name = `apps-${'a'.repeat(59)}`;
    assert.throws(() => kustomization({ name }), {
      message:
        `test/apps (Kustomization flux-system/${name}): name "${name}" is not a valid Kustomization name; use ` +
        'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 63 ' +
        'characters: Flux writes it into the label kustomize.toolkit.fluxcd.io/name of every object it applies, ' +
        'and a label value holds at most 63',
    });
  });

  test('fails if a postBuild variable has a name Flux does not substitute', () => {
    assert.throws(() => kustomization({ postBuild: { substitute: { cluster_name: 'dev', 'cluster-env': 'dev' } } }), {
      message:
        'test/apps (Kustomization flux-system/apps): postBuild.substitute "cluster-env" is not a variable name ' +
        'Flux substitutes (it fails the whole Kustomization); use letters, digits and "_", starting with a letter ' +
        'or "_", such as cluster_name',
    });
  });

  test('fails if a prop spread from shared defaults is misspelt, naming the nearest', () => {
    const shared = { prune: true, retryIntervall: '1m' };
    assert.throws(
      () =>
        synthConstructs(
          (scope) => new Kustomization(scope, 'apps', { manifests: v294, sourceRef: source(scope), ...shared }),
        ),
      {
        message:
          'test/apps (Kustomization flux-system/apps): retryIntervall "1m": is not a prop of Kustomization; did you ' +
          'mean retryInterval?',
      },
    );
  });

  test('fails if props have the wrong type, each named in the words of the CRD schema', () => {
    const healthChecks = { kind: 'Deployment', name: 'web' } as never;
    const schema = '(kustomize.toolkit.fluxcd.io/v1 Kustomization schema of Flux v2.9.4)';
    const subject = '  test/apps (Kustomization flux-system/apps)';
    assert.throws(() => kustomization({ wait: 'yes' as never, healthChecks }), {
      message: [
        '2 problems:',
        `${subject}: spec.healthChecks {"kind":"Deployment","name":"web"}: must be a list ${schema}`,
        `${subject}: spec.wait "yes": must be true or false (a boolean, not a string) ${schema}`,
      ].join('\n'),
    });
  });

  test('fails if dependsOn holds a source instead of a Kustomization', () => {
    const message =
      'test/apps (Kustomization flux-system/apps): dependsOn[0] GitRepository flux-system/flux-system: is not a ' +
      'Kustomization; a Kustomization depends only on Kustomizations (it waits for its sourceRef by itself), so ' +
      'drop it from dependsOn';
    assert.throws(
      () =>
        synthConstructs((scope) => {
          const repo = source(scope);
          new Kustomization(scope, 'apps', {
            manifests: v294,
            sourceRef: repo,
            prune: true,
            dependsOn: [repo as never],
          });
        }),
      { message },
    );
    assert.throws(
      () =>
        synthConstructs((scope) => {
          const repo = source(scope);
          new Kustomization(scope, 'apps', { manifests: v294, sourceRef: repo, prune: true }).addDependsOn(
            repo as never,
          );
        }),
      { message },
    );
  });

  test('fails if path leaves the source or is absolute', () => {
    assert.throws(
      () => kustomization({ path: '../other-repo/apps' }),
      /path "..\/other-repo\/apps" is not a path inside the source; use a relative path with "\/" such as .\/apps\/dev, without ".."/,
    );
    assert.throws(() => kustomization({ path: '/apps/dev' }), /path "\/apps\/dev" is not a path inside the source/);
  });

  test('fails if targetNamespace is not a valid namespace, once', () => {
    assert.throws(
      () => kustomization({ targetNamespace: 'Team_A' }),
      /targetNamespace "Team_A" is not a valid namespace/,
    );
    // The CRD states the length too: reported by the namespace rule alone.
    assert.throws(() => kustomization({ targetNamespace: 'a'.repeat(64) }), {
      message:
        `test/apps (Kustomization flux-system/apps): targetNamespace "${'a'.repeat(64)}" is not a valid namespace; ` +
        'use lower-case letters, digits and "-", starting and ending with a letter or digit (DNS-1123 label), at ' +
        'most 63 characters',
    });
  });

  test('fails if sourceRef is a kind a Kustomization cannot apply', () => {
    const chart = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      name: 'charts',
      namespace: 'flux-system',
    };
    assert.throws(() => kustomization({ sourceRef: chart }), {
      message:
        'test/apps (Kustomization flux-system/apps): spec.sourceRef.kind: "HelmRepository" is not one of ' +
        'OCIRepository, GitRepository, Bucket, ExternalArtifact (kustomize.toolkit.fluxcd.io/v1 Kustomization ' +
        'schema of Flux v2.9.4)',
    });
  });

  test('fails if prune is left out', () => {
    assert.throws(() => kustomization({ prune: undefined as never }), {
      message:
        'test/apps (Kustomization flux-system/apps): prune undefined: is required, true or false: whether Flux ' +
        'deletes what is removed from the repository',
    });
  });

  test('fails if deletionPolicy is not one the CRD allows', () => {
    assert.throws(
      () => kustomization({ deletionPolicy: 'Keep' as never }),
      /spec\.deletionPolicy: "Keep" is not one of MirrorPrune, Delete, WaitForTermination, Orphan/,
    );
  });

  test('fails if dependsOn forms a cycle', () => {
    const stack = testStack();
    const repo = source(stack);
    const a = new Kustomization(stack, 'a', { manifests: v294, sourceRef: repo, prune: true });
    const b = new Kustomization(stack, 'b', { manifests: v294, sourceRef: repo, prune: true, dependsOn: [a] });
    const c = new Kustomization(stack, 'c', { manifests: v294, sourceRef: repo, prune: true, dependsOn: [b] });
    a.addDependsOn(c);
    assert.throws(
      () => synthStack(stack),
      /Kustomization flux-system\/a: dependsOn cycle a -> c -> b -> a; Flux would never apply any of them, remove one of these dependencies/,
    );
  });

  test('fails if dependsOn names a Kustomization this stack does not deploy', () => {
    const app = Testing.app();
    const staging = new TerraformStack(app, 'staging-flux-sync');
    const theirs = new Kustomization(staging, 'infra', { manifests: v294, sourceRef: source(staging), prune: true });
    const stack = testStack();
    new Kustomization(stack, 'apps', { manifests: v294, sourceRef: source(stack), prune: true, dependsOn: [theirs] });
    assert.throws(
      () => synthStack(stack),
      /Kustomization flux-system\/apps: dependsOn Kustomization flux-system\/infra of stack staging-flux-sync, which stack test does not deploy/,
    );
  });

  test('fails if sourceRef is a source this stack does not deploy', () => {
    const elsewhere = source(new TerraformStack(Testing.app(), 'other'));
    const stack = testStack();
    new Kustomization(stack, 'apps', { manifests: v294, sourceRef: elsewhere, prune: true });
    assert.throws(
      () => synthStack(stack),
      /sourceRef GitRepository flux-system\/flux-system of stack other, which stack test does not deploy, so Flux would wait for it forever; create the source in test/,
    );
  });
});
