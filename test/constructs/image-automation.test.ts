import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  FluxInstall,
  FluxStackDefaults,
  GitRepository,
  ImagePolicy,
  ImagePolicyProps,
  ImageRepository,
  ImageRepositoryProps,
  ImageUpdateAutomation,
  ImageUpdateAutomationProps,
} from '../../constructs';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack, testStack } from '../support/synth';

const images = manifests('v2.9.4', 'v2.9.4-image-automation');
const url = 'ssh://git@github.com/mark-icy/infra-new';

const repository = (scope: Construct, props: Partial<ImageRepositoryProps> = {}) =>
  new ImageRepository(scope, 'app', { manifests: images, image: 'ghcr.io/mark-icy/app', ...props });
const policy = (scope: Construct, props: Partial<ImagePolicyProps> = {}) =>
  new ImagePolicy(scope, 'policy', {
    name: 'app',
    manifests: images,
    imageRepositoryRef: props.imageRepositoryRef ?? repository(scope),
    policy: { semver: { range: '>=1.0.0' } },
    ...props,
  });
const author = { commit: { author: { email: 'fluxcdbot@users.noreply.github.com', name: 'fluxcdbot' } } };
const automation = (scope: Construct, props: Partial<ImageUpdateAutomationProps> = {}) =>
  new ImageUpdateAutomation(scope, 'apps', {
    manifests: images,
    git: author,
    ...props,
    sourceRef:
      props.sourceRef ?? new GitRepository(scope, 'flux-system', { manifests: images, url, ref: { branch: 'main' } }),
  });

describe('ImageRepository', () => {
  test('renders an image.toolkit.fluxcd.io/v1 ImageRepository with the defaults resolved', () => {
    const objects = manifestsOf(synthConstructs((s) => repository(s)));
    assert.deepEqual(objects['imagerepository_flux-system_app'], {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageRepository',
      metadata: { name: 'app', namespace: 'flux-system' },
      spec: { image: 'ghcr.io/mark-icy/app', interval: '1m' },
    });
  });

  test('takes every field of the CRD schema', () => {
    const objects = manifestsOf(
      synthConstructs((s) =>
        repository(s, {
          image: 'localhost:5000/app',
          interval: '5m',
          timeout: '30s',
          secretRef: { name: 'regcred' },
          certSecretRef: { name: 'ca' },
          proxySecretRef: { name: 'proxy' },
          serviceAccountName: 'puller',
          provider: 'generic',
          insecure: true,
          exclusionList: ['^.*\\.sig$', '^dev-'],
          accessFrom: { namespaceSelectors: [{ matchLabels: { team: 'apps' } }] },
          suspend: false,
        }),
      ),
    );
    assert.deepEqual(objects['imagerepository_flux-system_app'].spec, {
      image: 'localhost:5000/app',
      interval: '5m',
      accessFrom: { namespaceSelectors: [{ matchLabels: { team: 'apps' } }] },
      certSecretRef: { name: 'ca' },
      exclusionList: ['^.*\\.sig$', '^dev-'],
      insecure: true,
      provider: 'generic',
      proxySecretRef: { name: 'proxy' },
      secretRef: { name: 'regcred' },
      serviceAccountName: 'puller',
      suspend: false,
      timeout: '30s',
    });
  });

  test('fails if the image has a URL scheme, which image-reflector-controller refuses', () => {
    assert.throws(() => synthConstructs((s) => repository(s, { image: 'https://ghcr.io/mark-icy/app' })), {
      message:
        'test/app (ImageRepository flux-system/app): image "https://ghcr.io/mark-icy/app" has a URL scheme, which ' +
        'image-reflector-controller refuses; remove "https://", as in ghcr.io/org/app',
    });
  });

  test('fails if the image has a tag or a digest, which image-reflector-controller refuses', () => {
    assert.throws(() => synthConstructs((s) => repository(s, { image: 'localhost:5000/app:1.2.3' })), {
      message:
        'test/app (ImageRepository flux-system/app): image "localhost:5000/app:1.2.3" has a tag or digest, which ' +
        'image-reflector-controller refuses (it lists every tag of the image itself); remove ":1.2.3"',
    });
    assert.throws(() => synthConstructs((s) => repository(s, { image: 'nginx@sha256:abc' })), /remove "@sha256:abc"$/);
  });

  test('fails if interval is not a duration, in the words of the CRD schema', () => {
    assert.throws(
      () => synthConstructs((s) => repository(s, { interval: '5 minutes' })),
      /spec\.interval: "5 minutes" is not a duration; use Go syntax such as 10m or 1h30m .*\(image\.toolkit\.fluxcd\.io\/v1 ImageRepository schema of Flux v2\.9\.4\)$/,
    );
  });

  test('fails if the manifests lack image-reflector-controller, naming componentsExtra', () => {
    assert.throws(() => synthConstructs((s) => repository(s, { manifests: manifests('v2.9.4') })), {
      message:
        'test/app (ImageRepository flux-system/app): the manifests of Flux v2.9.4 have no ImageRepository CRD ' +
        '(image.toolkit.fluxcd.io): it comes with image-reflector-controller, an extra component; add ' +
        "image-reflector-controller to the install's componentsExtra, with manifests that hold it (flux install " +
        '--version=v2.9.4 --components-extra=image-reflector-controller --export)',
    });
  });

  // The manifests hold every controller, the install takes only some: what the cluster gets decides.
  function stacks(componentsExtra: string[]) {
    const app = Testing.app();
    const bootstrap = new TerraformStack(app, 'dev-flux-bootstrap');
    new KubernetesProvider(bootstrap, 'kubernetes', {});
    new FluxInstall(bootstrap, 'flux', { manifests: images, componentsExtra });
    const sync = new TerraformStack(app, 'dev-flux-sync');
    new KubernetesProvider(sync, 'kubernetes', {});
    FluxStackDefaults.set(sync, { manifests: images });
    sync.addDependency(bootstrap);
    const repo = new ImageRepository(sync, 'app', { image: 'ghcr.io/mark-icy/app' });
    new ImagePolicy(sync, 'policy', { name: 'app', imageRepositoryRef: repo, policy: { numerical: { order: 'asc' } } });
    new ImageUpdateAutomation(sync, 'apps', {
      sourceRef: new GitRepository(sync, 'flux-system', { url, ref: { branch: 'main' } }),
      git: author,
    });
    return sync;
  }

  test('fails if the install of the stack it depends on leaves the image controllers out', () => {
    assert.throws(() => synthStack(stacks(['image-reflector-controller'])), {
      message: new RegExp(
        'ImageUpdateAutomation flux-system/apps: the Flux install dev-flux-bootstrap/flux does not install the ' +
          'ImageUpdateAutomation CRD \\(image\\.toolkit\\.fluxcd\\.io; it installs source-controller, ' +
          'kustomize-controller, helm-controller, notification-controller, image-reflector-controller\\), so this ' +
          "object could not be planned; add image-automation-controller to the install's componentsExtra",
      ),
    });
    assert.throws(
      () => synthStack(stacks([])),
      (e: Error) => {
        assert.match(e.message, /ImageRepository flux-system\/app: the Flux install .* add image-reflector-controller/);
        assert.match(e.message, /ImagePolicy flux-system\/app: the Flux install .* add image-reflector-controller/);
        return true;
      },
    );
  });

  test('is accepted when the install has both image controllers', () => {
    const objects = manifestsOf(synthStack(stacks(['image-reflector-controller', 'image-automation-controller'])));
    assert.deepEqual(Object.keys(objects).sort(), [
      'gitrepository_flux-system_flux-system',
      'imagepolicy_flux-system_app',
      'imagerepository_flux-system_app',
      'imageupdateautomation_flux-system_apps',
    ]);
  });
});

describe('ImagePolicy', () => {
  test('renders an ImagePolicy of its repository, in the repository namespace', () => {
    const objects = manifestsOf(synthConstructs((s) => policy(s)));
    assert.deepEqual(objects['imagepolicy_flux-system_app'], {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImagePolicy',
      metadata: { name: 'app', namespace: 'flux-system' },
      spec: { imageRepositoryRef: { name: 'app' }, policy: { semver: { range: '>=1.0.0' } } },
    });
  });

  test('takes every field of the CRD schema', () => {
    const objects = manifestsOf(
      synthConstructs((s) =>
        policy(s, {
          filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' },
          policy: { numerical: { order: 'asc' } },
          digestReflectionPolicy: 'Always',
          interval: '10m',
          suspend: false,
        }),
      ),
    );
    assert.deepEqual(objects['imagepolicy_flux-system_app'].spec, {
      imageRepositoryRef: { name: 'app' },
      filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' },
      policy: { numerical: { order: 'asc' } },
      digestReflectionPolicy: 'Always',
      interval: '10m',
      suspend: false,
    });
  });

  test('names the namespace of a repository elsewhere that lets it in', () => {
    const objects = manifestsOf(
      synthConstructs((s) => {
        const shared = repository(s, {
          namespace: 'images',
          accessFrom: { namespaceSelectors: [{ matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }] },
        });
        policy(s, { imageRepositoryRef: shared, namespace: 'apps' });
      }),
    );
    assert.deepEqual(objects['imagepolicy_apps_app'].spec.imageRepositoryRef, { name: 'app', namespace: 'images' });
  });

  test('fails if the repository is in another namespace without accessFrom, which denies the policy', () => {
    assert.throws(
      () =>
        synthConstructs((s) =>
          policy(s, { imageRepositoryRef: repository(s, { namespace: 'images' }), namespace: 'apps' }),
        ),
      {
        message:
          'test/policy (ImagePolicy apps/app): imageRepositoryRef ImageRepository images/app is in another namespace ' +
          'and has no accessFrom, so image-reflector-controller denies this policy in apps access to it; give the ' +
          'repository accessFrom with a namespaceSelectors entry matching apps, or leave namespace out (it ' +
          "defaults to the repository's)",
      },
    );
  });

  test('fails if imageRepositoryRef is not an ImageRepository construct', () => {
    assert.throws(
      () =>
        synthConstructs((s) => policy(s, { imageRepositoryRef: { kind: 'ImageRepository', name: 'app' } as never })),
      /test\/policy \(ImagePolicy flux-system\/app\): imageRepositoryRef .*: is not an ImageRepository construct$/,
    );
  });

  test('fails if its repository is of a stack that does not deploy it', () => {
    const other = new TerraformStack(Testing.app(), 'staging-flux-sync');
    const theirs = repository(other);
    const stack = testStack();
    policy(stack, { imageRepositoryRef: theirs });
    assert.throws(
      () => synthStack(stack),
      /ImagePolicy flux-system\/app: imageRepositoryRef ImageRepository flux-system\/app of stack staging-flux-sync, which stack test does not deploy, so Flux would wait for it forever; create the repository in test/,
    );
  });
});

describe('ImageUpdateAutomation', () => {
  test('renders an ImageUpdateAutomation of its GitRepository with the defaults resolved', () => {
    const objects = manifestsOf(synthConstructs((s) => automation(s)));
    assert.deepEqual(objects['imageupdateautomation_flux-system_apps'], {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageUpdateAutomation',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: { interval: '1m', sourceRef: { kind: 'GitRepository', name: 'flux-system' }, git: author },
    });
  });

  test('takes every field of the CRD schema, with the git push settings', () => {
    const git = {
      checkout: { ref: { branch: 'main' } },
      commit: {
        author: { email: 'fluxcdbot@users.noreply.github.com', name: 'fluxcdbot' },
        messageTemplate: 'Automated image update',
        messageTemplateValues: { env: 'dev' },
        signingKey: { secretRef: { name: 'signing-key' }, type: 'ssh' as const },
      },
      push: {
        branch: 'image-updates',
        refspec: 'refs/heads/image-updates:refs/heads/image-updates',
        options: { 'merge_request.create': '' },
      },
    };
    const objects = manifestsOf(
      synthConstructs((s) =>
        automation(s, {
          git,
          interval: '30m',
          update: { path: './clusters/dev', strategy: 'Setters' },
          policySelector: {
            matchLabels: { env: 'dev' },
            matchExpressions: [{ key: 'team', operator: 'In', values: ['apps'] }],
          },
          suspend: false,
        }),
      ),
    );
    assert.deepEqual(objects['imageupdateautomation_flux-system_apps'].spec, {
      interval: '30m',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      git,
      update: { path: './clusters/dev', strategy: 'Setters' },
      policySelector: {
        matchLabels: { env: 'dev' },
        matchExpressions: [{ key: 'team', operator: 'In', values: ['apps'] }],
      },
      suspend: false,
    });
  });

  test('names the namespace of a repository elsewhere', () => {
    const objects = manifestsOf(
      synthConstructs((s) => {
        const repo = new GitRepository(s, 'fleet', {
          manifests: images,
          url,
          namespace: 'fleet',
          ref: { branch: 'main' },
        });
        automation(s, { sourceRef: repo, namespace: 'flux-system' });
      }),
    );
    assert.deepEqual(objects['imageupdateautomation_flux-system_apps'].spec.sourceRef, {
      kind: 'GitRepository',
      name: 'fleet',
      namespace: 'fleet',
    });
  });

  test('fails if git is left out, which image-automation-controller refuses for a GitRepository', () => {
    assert.throws(() => synthConstructs((s) => automation(s, { git: undefined as never })), {
      message:
        'test/apps (ImageUpdateAutomation flux-system/apps): git undefined: is required: the commit author, such ' +
        'as { commit: { author: { email } } }',
    });
  });

  test('fails if no branch to push to is given or checked out', () => {
    const tagged = (s: Construct) =>
      new GitRepository(s, 'flux-system', { manifests: images, url, ref: { tag: 'v1.0.0' } });
    assert.throws(() => synthConstructs((s) => automation(s, { sourceRef: tagged(s) })), {
      message:
        'test/apps (ImageUpdateAutomation flux-system/apps): git.push.branch is not set, and the ref of ' +
        'GitRepository flux-system/flux-system {"tag":"v1.0.0"} names no branch, so image-automation-controller ' +
        'has no branch to push its commits to; set git.push.branch, or check out a branch with ' +
        'git.checkout.ref.branch',
    });
    assert.throws(
      () => synthConstructs((s) => automation(s, { git: { ...author, checkout: { ref: { semver: '1.x' } } } })),
      /git\.push\.branch is not set, and git\.checkout\.ref \{"semver":"1\.x"\} names no branch/,
    );
    // A push branch of its own, or a branch checked out, is enough.
    synthConstructs((s) => automation(s, { sourceRef: tagged(s), git: { ...author, push: { branch: 'main' } } }));
    synthConstructs((s) =>
      automation(s, { sourceRef: tagged(s), git: { ...author, checkout: { ref: { branch: 'main' } } } }),
    );
  });

  test('fails if sourceRef is not a GitRepository construct', () => {
    assert.throws(
      () => synthConstructs((s) => automation(s, { sourceRef: repository(s) as never })),
      /sourceRef .*: is not a GitRepository construct, the only source image automation updates$/,
    );
  });

  test('fails if its repository is of a stack that does not deploy it', () => {
    const theirs = new GitRepository(new TerraformStack(Testing.app(), 'staging-flux-sync'), 'flux-system', {
      manifests: images,
      url,
      ref: { branch: 'main' },
    });
    const stack = testStack();
    automation(stack, { sourceRef: theirs });
    assert.throws(
      () => synthStack(stack),
      /ImageUpdateAutomation flux-system\/apps: sourceRef GitRepository flux-system\/flux-system of stack staging-flux-sync, which stack test does not deploy, so Flux would wait for it forever; create the repository in test/,
    );
  });
});
