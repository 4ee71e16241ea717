import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Testing } from 'cdktf';
import {
  Bucket,
  BucketProps,
  ControllerSettings,
  ExternalArtifact,
  FluxInstall,
  FluxInstallProps,
  GitRepository,
  GitRepositoryProps,
  HelmChart,
  HelmChartProps,
  ImagePolicy,
  ImagePolicyProps,
  ImageRepository,
  ImageRepositoryProps,
  ImageUpdateAutomation,
  ImageUpdateAutomationProps,
  InstallPatch,
  Kustomization,
  KustomizationProps,
} from '../../constructs';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import { aks, eks, fleet, gke, patched as bootstrapPatches, tenants } from '../../examples/customisation';
import {
  buildEveryField,
  buildEveryFieldOfMoreKinds,
  buildEveryNotificationField,
  specFieldsUnset,
  specWithSchemaDefaults,
} from '../support/every-field';
import { manifests, MANIFESTS_DIR } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack } from '../support/synth';
import { Cluster, startCluster } from './support/cluster';
import { applyServerSide, BINARIES, getJson, kubectl, stackObjects } from './support/kubectl';

// What a live kube-apiserver accepts and refuses of the objects our constructs synthesize, sent
// directly by kubectl server-side apply: every install option and every typed field is accepted,
// and each value synth refuses is refused by the API server too. Deploying, diffing, upgrading,
// adopting and destroying through cdktf and the providers is deploy.e2e.test.ts.

let cluster: Cluster;
let kubeconfig: string;
let clusterDir: string;

async function environment(settings: EnvironmentSettings) {
  const repository = { githubOrg: 'mark-icy', githubRepository: 'infra-new' };
  const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { ...repository, ...settings });
  return {
    bootstrap: stackObjects(synthStack(bootstrap)),
    sync: stackObjects(synthStack(sync), synthStack(bootstrap)),
  };
}

function applyWaves(waves: Record<string, any>[][], options: { fieldManager?: string } = {}): void {
  for (const wave of waves) {
    applyServerSide(kubeconfig, wave, options);
    if (wave.some((o) => o.kind === 'CustomResourceDefinition')) {
      kubectl(kubeconfig, [
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        ...wave.map((o) => `crd/${o.metadata.name}`),
      ]);
    }
  }
}

describe('live kube-apiserver', { timeout: 600_000 }, () => {
  before(async () => {
    console.log('# providers: none; objects go to the API server by kubectl');
    clusterDir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-'));
    cluster = await startCluster(clusterDir, BINARIES);
    kubeconfig = cluster.kubeconfig;
    applyWaves((await environment({ name: 'dev' })).bootstrap); // the CRDs the sync objects need
  });
  after(async () => {
    await cluster?.stop();
    rmSync(clusterDir, { recursive: true, force: true });
  });

  test('accepts the dev GitRepository and Kustomizations with the expected spec', async () => {
    applyWaves((await environment({ name: 'dev' })).sync);
    const repo = getJson(kubeconfig, ['gitrepository', 'flux-system', '-n', 'flux-system']);
    assert.equal(repo.apiVersion, 'source.toolkit.fluxcd.io/v1');
    assert.deepEqual(
      { url: repo.spec.url, ref: repo.spec.ref, interval: repo.spec.interval, secretRef: repo.spec.secretRef },
      {
        url: 'ssh://git@github.com/mark-icy/infra-new',
        ref: { branch: 'main' },
        interval: '1m0s',
        secretRef: { name: 'flux-system' },
      },
    );
    const kustomizations = getJson(kubeconfig, ['kustomizations', '-n', 'flux-system']).items as any[];
    const byName = Object.fromEntries(kustomizations.map((k) => [k.metadata.name, k.spec]));
    assert.deepEqual(Object.keys(byName).sort(), ['apps', 'infra-controllers', 'infra-prereqs', 'secrets']);
    assert.deepEqual(byName['infra-prereqs'].dependsOn, [{ name: 'infra-controllers' }]);
    assert.deepEqual(
      [byName.apps.path, byName.apps.interval, byName.apps.retryInterval, byName.apps.timeout, byName.apps.prune],
      ['./apps/dev', '1h', '1m', '5m', true],
    );
    assert.deepEqual(byName.secrets.sourceRef, { kind: 'GitRepository', name: 'flux-system' });
  });

  test('accepts an install with every flux install option applied', async () => {
    const install = {
      namespace: 'flux-options',
      registry: 'registry.example.com/fluxcd',
      imagePullSecret: 'regcred',
      logLevel: 'debug' as const,
      tolerationKeys: ['dedicated'],
      watchAllNamespaces: false,
      networkPolicy: false,
      clusterDomain: 'k8s.example',
    };
    applyWaves((await environment({ name: 'options', install })).bootstrap);
    const deployments = getJson(kubeconfig, ['deployments', '-n', 'flux-options']).items as any[];
    assert.equal(deployments.length, 4);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      assert.match(pod.containers[0].image, /^registry\.example\.com\/fluxcd\//);
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
      assert.deepEqual(pod.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
      assert.ok(pod.containers[0].args.includes('--watch-all-namespaces=false'));
      assert.ok(pod.containers[0].args.includes('--log-level=debug'));
    }
    assert.equal((getJson(kubeconfig, ['networkpolicy', '-n', 'flux-options']).items as any[]).length, 0);
    assert.equal(
      getJson(kubeconfig, ['clusterrolebinding', 'crd-controller-flux-options']).subjects[0].namespace,
      'flux-options',
    );
  });

  test('accepts every customisation example of the README, each stored as synthesized', async () => {
    for (const example of [eks, gke, aks, fleet, tenants, bootstrapPatches]) {
      const namespace = `flux-${example.name}`;
      const { bootstrap } = await environment({ ...example, install: { ...example.install, namespace } });
      applyWaves(bootstrap);
      const wanted = bootstrap.flat().filter((o) => o.kind === 'Deployment' || o.kind === 'ServiceAccount');
      for (const object of wanted) {
        const stored = getJson(kubeconfig, [object.kind, object.metadata.name, '-n', namespace]);
        const what = `${example.name}: ${object.kind} ${object.metadata.name}`;
        if (object.kind === 'ServiceAccount')
          assert.deepEqual(stored.metadata.annotations ?? {}, object.metadata.annotations ?? {}, what);
        if (object.kind === 'Deployment') {
          const [pod, own] = [stored.spec.template.spec, object.spec.template.spec];
          assert.deepEqual(pod.containers[0].args, own.containers[0].args, what);
          assert.deepEqual(pod.containers[0].resources, own.containers[0].resources, what);
          assert.deepEqual(pod.tolerations, own.tolerations, what);
          assert.deepEqual(pod.nodeSelector, own.nodeSelector, what);
          assert.deepEqual(stored.spec.template.metadata.labels, object.spec.template.metadata.labels, what);
        }
      }
    }
  });

  test('accepts every spec field the typed constructs render', () => {
    const objects = manifestsOf(
      synthConstructs((scope) => buildEveryNotificationField(scope, manifests(), buildEveryField(scope, manifests()))),
    );
    assert.match(
      applyServerSide(kubeconfig, Object.values(objects)),
      /kustomization\.kustomize\.toolkit\.fluxcd\.io\/apps serverside-applied/,
    );
    const stored = getJson(kubeconfig, ['kustomization', 'apps', '-n', 'flux-system']).spec;
    assert.deepEqual(stored.postBuild, objects['kustomization_flux-system_apps'].spec.postBuild);
    for (const [kind, name] of [
      ['provider', 'github-status'],
      ['alert', 'everything'],
      ['receiver', 'push'],
    ]) {
      const spec = getJson(kubeconfig, [kind, name, '-n', 'flux-system']).spec;
      assert.deepEqual(spec, objects[`${kind}_flux-system_${name}`].spec, `${kind} ${name} stored as synthesized`);
    }
    assert.deepEqual(getJson(kubeconfig, ['gitrepository', 'flux-system', '-n', 'flux-system']).spec.include, [
      { repository: { name: 'shared' }, fromPath: 'deploy', toPath: 'shared' },
    ]);
  });

  // The image kinds' CRDs come only with the image automation controllers; an install that has them
  // brings them, and Bucket, HelmChart and ExternalArtifact are in every install from v2.7.0.
  const images = manifests('v2.9.4', 'v2.9.4-image-automation');
  const imageInstall: EnvironmentSettings = {
    name: 'images',
    manifestsPath: join(MANIFESTS_DIR, 'v2.9.4-image-automation', 'gotk-components.yaml'),
    install: { componentsExtra: ['image-reflector-controller', 'image-automation-controller'] },
  };
  const namespaces = (...names: string[]) =>
    applyServerSide(
      kubeconfig,
      names.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    );
  const moreKinds = () => manifestsOf(synthConstructs((scope) => buildEveryFieldOfMoreKinds(scope, images)));

  test('accepts every spec field of the kinds added in code, each stored as synthesized', async () => {
    const { bootstrap } = await environment(imageInstall);
    const crds = bootstrap.map((wave) => wave.filter((o) => o.kind === 'CustomResourceDefinition'));
    applyWaves(crds.filter((wave) => wave.length > 0));
    namespaces('apps', 'images');
    const objects = Object.values(moreKinds());
    applyServerSide(kubeconfig, objects);
    for (const kind of [
      'Bucket',
      'HelmChart',
      'ExternalArtifact',
      'ImageRepository',
      'ImagePolicy',
      'ImageUpdateAutomation',
    ]) {
      const ofKind = objects.filter((o) => o.kind === kind);
      // The constructs render references themselves, by kind and name, and leave the optional apiVersion out.
      const unrendered = ['HelmChart', 'ImageUpdateAutomation'].includes(kind) ? ['sourceRef.apiVersion'] : [];
      assert.deepEqual(
        specFieldsUnset(images, ofKind[0].apiVersion, kind, ofKind),
        unrendered,
        `${kind}: fields unset`,
      );
    }
    for (const object of objects) {
      const { apiVersion, kind, metadata } = object;
      const resource = `${kind.toLowerCase()}.${apiVersion.split('/')[0]}`;
      const stored = getJson(kubeconfig, [resource, metadata.name, '-n', metadata.namespace]);
      assert.equal(stored.apiVersion, apiVersion);
      // As sent, with the CRD's defaults for what the objects beside the every-field ones leave out.
      const expected = specWithSchemaDefaults(images, object);
      assert.deepEqual(stored.spec, expected, `${kind} ${metadata.namespace}/${metadata.name}`);
    }
  });

  // Each case: a change the constructs refuse at synth, and the same change made to a valid
  // object behind their back, which the API server must refuse as well.
  const v294 = manifests();
  const valid = () =>
    manifestsOf(
      synthConstructs(
        (scope) =>
          new Kustomization(scope, 'apps', {
            manifests: v294,
            sourceRef: new GitRepository(scope, 'flux-system', { manifests: v294, url: 'ssh://git@github.com/a/b' }),
            prune: true,
          }),
      ),
    );
  const url = 'ssh://git@github.com/a/b';
  // Synth of one GitRepository, or of one Kustomization of one, with these props on top.
  const repository = (props: Partial<GitRepositoryProps>) => () =>
    synthConstructs((s) => new GitRepository(s, 'r', { manifests: v294, url, ...props }));
  const kustomization = (props: Partial<KustomizationProps>) => () =>
    synthConstructs(
      (s) =>
        new Kustomization(s, 'k', {
          manifests: v294,
          sourceRef: new GitRepository(s, 'r', { manifests: v294, url }),
          prune: true,
          ...props,
        }),
    );
  const inSpec = (object: Record<string, any>, spec: Record<string, unknown>) => ({
    ...object,
    spec: { ...object.spec, ...spec },
  });
  const cases: { name: string; synth: () => unknown; object: (o: Record<string, any>) => Record<string, any> }[] = [
    {
      name: 'interval that is not a duration',
      synth: repository({ interval: '10 minutes' }),
      object: (o) => inSpec(o.repo, { interval: '10 minutes' }),
    },
    {
      name: 'GitRepository timeout in hours',
      synth: repository({ timeout: '1h' }),
      object: (o) => inSpec(o.repo, { timeout: '1h' }),
    },
    {
      name: 'url without a scheme Flux accepts',
      synth: repository({ url: 'git@github.com:a/b.git' }),
      object: (o) => inSpec(o.repo, { url: 'git@github.com:a/b.git' }),
    },
    {
      name: 'provider outside the enum',
      synth: repository({ provider: 'gcp' as never }),
      object: (o) => inSpec(o.repo, { provider: 'gcp' }),
    },
    {
      name: 'unknown field',
      synth: repository({ ref: { brnach: 'main' } as never }),
      object: (o) => inSpec(o.repo, { ref: { brnach: 'main' } }),
    },
    {
      name: 'missing prune',
      synth: kustomization({ prune: undefined as never }),
      object: (o) => inSpec(o.ks, { prune: undefined }),
    },
    {
      name: 'deletionPolicy outside the enum',
      synth: kustomization({ deletionPolicy: 'Keep' as never }),
      object: (o) => inSpec(o.ks, { deletionPolicy: 'Keep' }),
    },
    {
      name: 'name that is not DNS-1123',
      synth: repository({ name: 'Flux_System' }),
      object: (o) => ({ ...o.repo, metadata: { ...o.repo.metadata, name: 'Flux_System' } }),
    },
    {
      name: 'install namespace that is not DNS-1123',
      synth: () => synthConstructs((s) => new FluxInstall(s, 'flux', { manifests: v294, namespace: 'Flux' })),
      object: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Flux' } }),
    },
  ];
  for (const c of cases) {
    test(`refuses, like synth, a ${c.name}`, () => {
      assert.throws(c.synth, Error, 'synth accepts it');
      applyServerSide(kubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } }]);
      const objects = valid();
      const inProbe = (o: Record<string, any>) => ({ ...o, metadata: { ...o.metadata, namespace: 'probe' } });
      const changed = c.object({
        repo: inProbe(objects['gitrepository_flux-system_flux-system']),
        ks: inProbe(objects['kustomization_flux-system_apps']),
      });
      assert.throws(
        () => applyServerSide(kubeconfig, [changed]),
        /Invalid value|Required value|missing required field|unknown field|Unsupported value|strict decoding error/,
        'the API server accepts it',
      );
    });
  }

  // The same for the kinds added in code, each case a change to one object of every-field.ts. What a
  // hand rule refuses and no CRD schema states (an image with a tag) is the controller's: the API
  // server accepts those (further below).
  const bucket = (props: Partial<BucketProps>) => () =>
    synthConstructs(
      (s) => new Bucket(s, 'b', { manifests: images, bucketName: 'charts', endpoint: 'minio.example.com', ...props }),
    );
  const chart = (props: Partial<HelmChartProps>) => () =>
    synthConstructs(
      (s) =>
        new HelmChart(s, 'c', {
          manifests: images,
          chart: './podinfo',
          sourceRef: new GitRepository(s, 'r', { manifests: images, url }),
          ...props,
        }),
    );
  const imageRepository = (props: Partial<ImageRepositoryProps>) => () =>
    synthConstructs((s) => new ImageRepository(s, 'i', { manifests: images, image: 'ghcr.io/mark-icy/app', ...props }));
  const imagePolicy = (props: Partial<ImagePolicyProps>) => () =>
    synthConstructs(
      (s) =>
        new ImagePolicy(s, 'p', {
          manifests: images,
          imageRepositoryRef: new ImageRepository(s, 'i', { manifests: images, image: 'ghcr.io/mark-icy/app' }),
          policy: { semver: { range: '1.x' } },
          ...props,
        }),
    );
  const author = { email: 'fluxcdbot@users.noreply.github.com' };
  const automation = (props: Partial<ImageUpdateAutomationProps>) => () =>
    synthConstructs(
      (s) =>
        new ImageUpdateAutomation(s, 'a', {
          manifests: images,
          sourceRef: new GitRepository(s, 'r', { manifests: images, url, ref: { branch: 'main' } }),
          git: { commit: { author } },
          ...props,
        }),
    );
  const moreKindCases: {
    name: string;
    /** The API server's words, naming the field. */
    refusal: RegExp;
    synth: () => unknown;
    object: (o: Record<string, Record<string, any>>) => Record<string, any>;
  }[] = [
    {
      name: 'Bucket provider outside the enum',
      refusal: /spec\.provider: Unsupported value: "minio"/,
      synth: bucket({ provider: 'minio' as never }),
      object: (o) => inSpec(o['bucket_flux-system_charts'], { provider: 'minio', sts: undefined }),
    },
    {
      name: 'Bucket timeout in hours',
      refusal: /spec\.timeout: Invalid value: "1h"/,
      synth: bucket({ timeout: '1h' }),
      object: (o) => inSpec(o['bucket_flux-system_charts'], { timeout: '1h' }),
    },
    {
      name: 'HelmChart reconcileStrategy outside the enum',
      refusal: /spec\.reconcileStrategy: Unsupported value: "Latest"/,
      synth: chart({ reconcileStrategy: 'Latest' as never }),
      object: (o) => inSpec(o['helmchart_flux-system_from-git'], { reconcileStrategy: 'Latest' }),
    },
    {
      // The construct's rule (only OCI charts are verified) and the CRD's CEL rule (only from a HelmRepository).
      name: 'HelmChart verify of a chart from a GitRepository',
      refusal: /spec\.verify is only supported when spec\.sourceRef\.kind is 'HelmRepository'/,
      synth: chart({ verify: { provider: 'cosign' } }),
      object: (o) => inSpec(o['helmchart_flux-system_from-git'], { verify: { provider: 'cosign' } }),
    },
    {
      name: 'ExternalArtifact sourceRef without a name',
      refusal:
        /ExternalArtifact\.spec\.sourceRef\): missing required field "name"|spec\.sourceRef\.name: Required value/,
      synth: () =>
        synthConstructs(
          (s) =>
            new ExternalArtifact(s, 'e', {
              manifests: images,
              sourceRef: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'tools' } as never,
            }),
        ),
      object: (o) => inSpec(o['externalartifact_flux-system_generated'], { sourceRef: { kind: 'ArtifactGenerator' } }),
    },
    {
      name: 'ImageRepository exclusionList of more than 25 patterns',
      refusal: /spec\.exclusionList: Too many: 26/,
      synth: imageRepository({ exclusionList: Array.from({ length: 26 }, (_, i) => `^dev-${i}`) }),
      object: (o) =>
        inSpec(o['imagerepository_images_app'], { exclusionList: Array.from({ length: 26 }, (_, i) => `^dev-${i}`) }),
    },
    {
      name: 'ImageRepository provider outside the enum',
      refusal: /spec\.provider: Unsupported value: "ghcr"/,
      synth: imageRepository({ provider: 'ghcr' as never }),
      object: (o) => inSpec(o['imagerepository_images_app'], { provider: 'ghcr' }),
    },
    {
      name: 'ImagePolicy without a policy',
      refusal: /ImagePolicy\.spec\): missing required field "policy"|spec\.policy: Required value/,
      synth: imagePolicy({ policy: undefined as never }),
      object: (o) => inSpec(o['imagepolicy_images_app-numerical'], { policy: undefined }),
    },
    {
      name: 'ImagePolicy digestReflectionPolicy outside the enum',
      refusal: /spec\.digestReflectionPolicy: Unsupported value: "Sometimes"/,
      synth: imagePolicy({ digestReflectionPolicy: 'Sometimes' as never }),
      object: (o) => inSpec(o['imagepolicy_images_app-numerical'], { digestReflectionPolicy: 'Sometimes' }),
    },
    {
      name: 'ImageUpdateAutomation push refspec that forces',
      refusal: /spec\.git\.push\.refspec: Invalid value: "\+refs/,
      synth: automation({ git: { commit: { author }, push: { refspec: '+refs/heads/main:refs/heads/main' } } }),
      object: (o) =>
        inSpec(o['imageupdateautomation_flux-system_pinned'], {
          git: { commit: { author }, push: { refspec: '+refs/heads/main:refs/heads/main' } },
        }),
    },
    {
      name: 'ImageUpdateAutomation commit author without an email',
      refusal:
        /ImageUpdateAutomation\.spec\.git\.commit\.author\): missing required field "email"|spec\.git\.commit\.author\.email: Required value/,
      synth: automation({ git: { commit: { author: { name: 'fluxcdbot' } as never } } }),
      object: (o) =>
        inSpec(o['imageupdateautomation_flux-system_pinned'], {
          git: { commit: { author: { name: 'fluxcdbot' } }, push: { branch: 'main' } },
        }),
    },
    {
      name: 'ImageUpdateAutomation update strategy outside the enum',
      refusal: /spec\.update\.strategy: Unsupported value: "Rewrite"/,
      synth: automation({ update: { strategy: 'Rewrite' as never } }),
      object: (o) => inSpec(o['imageupdateautomation_flux-system_pinned'], { update: { strategy: 'Rewrite' } }),
    },
  ];
  const moreKindsInProbe = () => {
    namespaces('probe');
    return Object.fromEntries(
      Object.entries(moreKinds()).map(([name, o]) => [name, { ...o, metadata: { ...o.metadata, namespace: 'probe' } }]),
    );
  };
  for (const c of moreKindCases) {
    test(`refuses, like synth, a ${c.name}`, () => {
      assert.throws(c.synth, Error, 'synth accepts it');
      const inProbe = moreKindsInProbe();
      assert.throws(
        () => applyServerSide(kubeconfig, [c.object(inProbe)]),
        c.refusal,
        'the API server accepts it, or refuses it for another reason',
      );
    });
  }

  // What a hand rule refuses for the controller's sake, which no CRD schema states: the API server
  // takes it. Should a CRD come to refuse one, the rule would have two homes.
  const controllerRules: { name: string; synth: () => unknown; object: (o: Record<string, any>) => object }[] = [
    {
      name: 'ImageRepository image with a tag',
      synth: imageRepository({ image: 'ghcr.io/mark-icy/app:1.2.3' }),
      object: (o) => inSpec(o['imagerepository_images_app'], { image: 'ghcr.io/mark-icy/app:1.2.3' }),
    },
    {
      name: 'ImageUpdateAutomation without git',
      synth: automation({ git: undefined as never }),
      object: (o) => inSpec(o['imageupdateautomation_flux-system_pinned'], { git: undefined }),
    },
    {
      name: 'ImageUpdateAutomation with no branch to push to',
      synth: automation({ git: { commit: { author }, checkout: { ref: { tag: 'v1.0.0' } } } }),
      object: (o) =>
        inSpec(o['imageupdateautomation_flux-system_pinned'], {
          git: { commit: { author }, checkout: { ref: { tag: 'v1.0.0' } } },
        }),
    },
  ];
  for (const c of controllerRules) {
    test(`accepts what synth refuses for the controller: a ${c.name}`, () => {
      assert.throws(c.synth, Error, 'synth accepts it');
      applyServerSide(kubeconfig, [c.object(moreKindsInProbe())]);
    });
  }

  // The install's customisation: a setting or patch synth refuses, and the same change made to
  // the kustomize-controller Deployment behind its back, which the API server refuses as well.
  const install = (props: Partial<FluxInstallProps>) => () =>
    synthConstructs((s) => new FluxInstall(s, 'flux', { manifests: v294, ...props }));
  const controller = (own: ControllerSettings) => install({ controllers: { 'kustomize-controller': own } });
  const patched = (patch: InstallPatch['patch']) =>
    install({ patches: [{ target: { kind: 'Deployment', name: 'kustomize-controller' }, patch }] });
  const podSpec = (d: Record<string, any>, change: (spec: Record<string, any>) => void) => {
    const copy = structuredClone(d);
    change(copy.spec.template.spec);
    return copy;
  };
  const customisations: {
    name: string;
    synth: () => unknown;
    deployment: (d: Record<string, any>) => Record<string, any>;
  }[] = [
    {
      name: 'toleration with operator Exists and a value',
      synth: controller({ tolerations: [{ key: 'gpu', operator: 'Exists', value: 'true' }] }),
      deployment: (d) => podSpec(d, (p) => (p.tolerations = [{ key: 'gpu', operator: 'Exists', value: 'true' }])),
    },
    {
      name: 'CPU request above its limit',
      synth: controller({ resources: { limits: { cpu: '1' }, requests: { cpu: '2' } } }),
      deployment: (d) =>
        podSpec(d, (p) => (p.containers[0].resources = { limits: { cpu: '1' }, requests: { cpu: '2' } })),
    },
    {
      name: 'preferred affinity of weight 0',
      synth: controller({
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 0, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['flux'] }] } },
            ],
          },
        },
      }),
      deployment: (d) =>
        podSpec(d, (p) => {
          p.affinity = {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 0, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['flux'] }] } },
              ],
            },
          };
        }),
    },
    {
      name: 'patch mounting a volume the pod does not have',
      synth: patched([
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/volumeMounts/-',
          value: { name: 'cache', mountPath: '/c' },
        },
      ]),
      deployment: (d) => podSpec(d, (p) => p.containers[0].volumeMounts.push({ name: 'cache', mountPath: '/c' })),
    },
    {
      name: 'patch adding an env var without a name',
      synth: patched([{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { value: 'x' } }]),
      deployment: (d) => podSpec(d, (p) => p.containers[0].env.push({ value: 'x' })),
    },
  ];
  for (const c of customisations) {
    test(`refuses, like synth, an install customisation with a ${c.name}`, () => {
      assert.throws(c.synth, Error, 'synth accepts it');
      applyServerSide(kubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } }]);
      const deployment = manifestsOf(install({})())['deployment_flux-system_kustomize-controller'];
      const changed = c.deployment({ ...deployment, metadata: { ...deployment.metadata, namespace: 'probe' } });
      assert.throws(
        () => applyServerSide(kubeconfig, [changed]),
        /Invalid value|Required value|Not found|must be less than or equal|missing required field/,
        'the API server accepts it',
      );
    });
  }
});
