import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FluxInstall, FluxInstallProps } from '../../constructs';
import { FluxManifests } from '../../lib/flux-manifests';
import { storedForm } from '../../lib/stored-form';
import { objectAddress } from '../../lib/kubernetes-object';
import { manifests } from '../support/manifests';
import { manifestFileOf } from '../../constructs/manifest-resource';
import { manifestsOf, synthConstructs, synthRaw, synthStack, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');

function install(props: Partial<FluxInstallProps> = {}) {
  const synthesized = synthConstructs((scope) => new FluxInstall(scope, 'flux', { manifests: v294, ...props }));
  return { synthesized, objects: manifestsOf(synthesized) };
}

const byKind = (objects: Record<string, any>, kind: string) => Object.values(objects).filter((o) => o.kind === kind);
const addressesOf = (m: FluxManifests) =>
  Object.keys(manifestsOf(synthConstructs((scope) => new FluxInstall(scope, 'flux', { manifests: m })))).sort();

describe('FluxInstall', () => {
  test('emits every object of the v2.9.4 manifests, one kubernetes_manifest each', () => {
    const { objects } = install();
    assert.equal(Object.keys(objects).length, 32);
    const expected = v294.objects.map((o) => objectAddress(o.kind, o.metadata.name, o.metadata.namespace)).sort();
    assert.deepEqual(Object.keys(objects).sort(), expected);
    assert.deepEqual(
      objects['deployment_flux-system_source-controller'],
      storedForm(v294.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'source-controller')!),
    );
  });

  test('writes quantities the way the API server stores them, so apply reads back what it planned', () => {
    const { objects } = install();
    const container = objects['deployment_flux-system_source-controller'].spec.template.spec.containers[0];
    assert.deepEqual(container.resources, {
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '50m', memory: '64Mi' },
    });
    assert.deepEqual(objects['resourcequota_flux-system_critical-pods-flux-system'].spec.hard, { pods: '1k' });
  });

  test('reads every object from a manifest file, where the CRD descriptions stay literal text', () => {
    const stack = testStack();
    new FluxInstall(stack, 'flux', { manifests: v294 });
    const raw = synthRaw(stack).resource.kubernetes_manifest;
    for (const [name, resource] of Object.entries(raw))
      assert.equal(manifestFileOf(resource.manifest), `manifests/${name}.json`, name);
    // In cdk.tf.json, Flux's `${var:=default}` would be a template; read from a file, it is text.
    const text = JSON.stringify(
      manifestsOf(synthStack(stack))['customresourcedefinition_kustomizations_kustomize_toolkit_fluxcd_io'],
    );
    assert.match(text, /[^$]\$\{var:=default\}/);
    assert.doesNotMatch(text, /\$\$\{/);
  });

  test('keeps every logical id from v2.8.8 to v2.9.4, so the upgrade plans in place', () => {
    const v288 = addressesOf(manifests('v2.8.8'));
    assert.equal(v288.length, 32);
    assert.deepEqual(v288, addressesOf(v294));
  });

  test('installs only the chosen components', () => {
    const { objects } = install({ components: ['source-controller', 'kustomize-controller'] });
    assert.deepEqual(
      byKind(objects, 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
      ['kustomize-controller', 'source-controller'],
    );
    const crds = byKind(objects, 'CustomResourceDefinition').map((c) => c.spec.group);
    assert.equal(crds.length, 7);
    assert.ok(crds.every((g) => g === 'source.toolkit.fluxcd.io' || g === 'kustomize.toolkit.fluxcd.io'));
    assert.deepEqual(
      byKind(objects, 'Service').map((s) => s.metadata.name),
      ['source-controller'],
    );
    assert.equal(byKind(objects, 'ServiceAccount').length, 2);
    // Cluster-wide objects carry no component and stay.
    assert.equal(byKind(objects, 'ClusterRole').length, 3);
    assert.equal(Object.keys(objects).length, 32 - 4 /* CRDs */ - 2 /* Deployments */ - 2 /* SAs */ - 2 /* Services */);
  });

  test('installs extra components from manifests that have them', () => {
    const withImages = manifests('v2.9.4', 'v2.9.4-image-automation');
    const objects = manifestsOf(
      synthConstructs(
        (scope) =>
          new FluxInstall(scope, 'flux', {
            manifests: withImages,
            componentsExtra: ['image-reflector-controller', 'image-automation-controller'],
          }),
      ),
    );
    assert.equal(Object.keys(objects).length, 39);
    assert.ok(objects['deployment_flux-system_image-automation-controller']);
    const defaults = manifestsOf(synthConstructs((scope) => new FluxInstall(scope, 'flux', { manifests: withImages })));
    assert.equal(Object.keys(defaults).length, 32, 'extra components are left out unless asked for');
  });

  test('fails if an extra component is asked for that the manifests lack', () => {
    assert.throws(
      () => install({ componentsExtra: ['image-automation-controller'] }),
      /test\/flux: the manifests .*v2\.9\.4\/gotk-components\.yaml: no image-automation-controller \(it has source-controller, kustomize-controller, helm-controller, notification-controller\); make the file with flux install --version=v2\.9\.4 --components-extra=image-automation-controller --export$/,
    );
  });

  test('fails if a component is not a Flux component, naming the nearest one', () => {
    assert.throws(
      () => install({ components: ['source-controller', 'kustomise-controller'] }),
      (error: Error) => {
        assert.equal(
          error.message,
          'test/flux: components "kustomise-controller" is not a Flux component; did you mean kustomize-controller? ' +
            'choose from source-controller, kustomize-controller, helm-controller, notification-controller',
          'reported once, as a typo, not also as a component the manifests lack',
        );
        return true;
      },
    );
    assert.throws(
      () => install({ components: ['source-controller', 'helm'] }),
      /components "helm" is not a Flux component; did you mean helm-controller\? choose from source-controller/,
    );
    assert.throws(
      () => install({ componentsExtra: ['image-reflector-controler'] }),
      /componentsExtra "image-reflector-controler" is not a Flux extra component; did you mean image-reflector-controller\? choose from image-reflector-controller, image-automation-controller, source-watcher$/,
    );
    assert.throws(
      () => install({ componentsExtra: ['image-updater'] }),
      /componentsExtra "image-updater" is not a Flux extra component; choose from image-reflector-controller/,
    );
    assert.throws(
      () => install({ components: ['source-controller', 'kustomize-controller', 'image-automation-controller'] }),
      /components "image-automation-controller" is not a Flux component; it goes in componentsExtra$/,
    );
    assert.throws(
      () => install({ componentsExtra: ['helm-controler'] }),
      /componentsExtra "helm-controler" is not a Flux extra component; did you mean helm-controller \(in components\)\?/,
    );
  });

  test(
    'applies registry, image pull secret, log level, cluster domain, tolerations and watch scope to every ' +
      'controller',
    () => {
      const { objects } = install({
        registry: 'registry.example.com/mirror/fluxcd',
        imagePullSecret: 'regcred',
        logLevel: 'debug',
        clusterDomain: 'k8s.example',
        tolerationKeys: ['node-role.kubernetes.io/control-plane'],
        watchAllNamespaces: false,
      });
      const deployments = byKind(objects, 'Deployment');
      assert.equal(deployments.length, 4);
      for (const d of deployments) {
        const pod = d.spec.template.spec;
        assert.match(
          pod.containers[0].image,
          new RegExp(`^registry\\.example\\.com/mirror/fluxcd/${d.metadata.name}:v\\d`),
        );
        assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
        assert.deepEqual(pod.tolerations, [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }]);
        const args: string[] = pod.containers[0].args;
        assert.ok(args.includes('--log-level=debug'), args.join(' '));
        assert.ok(args.includes('--watch-all-namespaces=false'), args.join(' '));
        assert.ok(!args.some((a) => a.includes('cluster.local')), args.join(' '));
      }
      const source = objects['deployment_flux-system_source-controller'].spec.template.spec.containers[0].args;
      assert.ok(source.includes('--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.k8s.example.'));
    },
  );

  test('leaves the manifests shared between environments untouched', () => {
    install({ registry: 'registry.example.com/fluxcd', namespace: 'flux' });
    const deployment = v294.objects.find((o) => o.kind === 'Deployment') as any;
    assert.match(deployment.spec.template.spec.containers[0].image, /^ghcr\.io\/fluxcd\//);
    assert.equal(deployment.metadata.namespace, 'flux-system');
  });

  test('leaves out the NetworkPolicies when networkPolicy is off', () => {
    assert.equal(byKind(install().objects, 'NetworkPolicy').length, 3);
    assert.equal(byKind(install({ networkPolicy: false }).objects, 'NetworkPolicy').length, 0);
  });

  test('installs into another namespace, renaming what carries the namespace', () => {
    const { objects } = install({ namespace: 'flux' });
    assert.ok(objects.namespace_flux);
    assert.ok(objects['clusterrole_crd-controller-flux']);
    assert.ok(objects['resourcequota_flux_critical-pods-flux']);
    const namespaced = Object.values(objects).filter((o) => o.metadata.namespace !== undefined);
    assert.ok(namespaced.length > 10);
    assert.ok(namespaced.every((o) => o.metadata.namespace === 'flux'));
    const binding = objects['clusterrolebinding_crd-controller-flux'];
    assert.equal(binding.roleRef.name, 'crd-controller-flux');
    assert.ok(binding.subjects.every((s: { namespace: string }) => s.namespace === 'flux'));
    assert.ok(
      !JSON.stringify(Object.values(objects).filter((o) => o.kind !== 'CustomResourceDefinition')).includes(
        'flux-system',
      ),
    );
  });

  test('fails if the options are not what flux install accepts', () => {
    assert.throws(
      () => install({ namespace: 'Flux_System' }),
      /namespace "Flux_System" is not a valid namespace; use lower-case letters/,
    );
    assert.throws(
      () => install({ logLevel: 'trace' as never }),
      /logLevel "trace" is not a Flux log level; use debug, info, error/,
    );
    assert.throws(
      () => install({ clusterDomain: 'cluster.local.' }),
      /clusterDomain "cluster.local." is not a DNS domain/,
    );
    assert.throws(
      () => install({ registry: 'https://registry.example.com/' }),
      /registry "https:\/\/registry.example.com\/" is not an image registry path/,
    );
  });

  test('fails if an option is misspelt, naming the nearest', () => {
    const shared = { networkPolicies: false };
    assert.throws(() => install({ logLevel: 'info', ...shared }), {
      message: 'test/flux: networkPolicies false: is not a prop of FluxInstall; did you mean networkPolicy?',
    });
  });

  test('fails if two installs would manage the same objects in one stack', () => {
    assert.throws(
      () =>
        synthConstructs((scope) => [
          new FluxInstall(scope, 'a', { manifests: v294 }),
          new FluxInstall(scope, 'b', { manifests: v294 }),
        ]),
      /test\/b: Namespace flux-system is already managed by test\/a in this stack/,
    );
  });

  test('creates the namespace first and the CRDs last, and destroys the CRDs while the controllers still run', () => {
    const resources = install().synthesized.resource.kubernetes_manifest;
    const deps = (name: string) => [...((resources[name].depends_on as string[] | undefined) ?? [])].sort();
    assert.deepEqual(deps('namespace_flux-system'), []);
    const names = Object.keys(resources);
    const ofKind = (...prefixes: string[]) => names.filter((n) => prefixes.some((p) => n.startsWith(p)));
    for (const name of ofKind('clusterrole_', 'clusterrolebinding_'))
      assert.deepEqual(deps(name), [], `${name}: cluster-wide, needs nothing`);
    for (const name of ofKind('deployment_', 'serviceaccount_', 'service_', 'networkpolicy_', 'resourcequota_'))
      assert.deepEqual(deps(name), ['kubernetes_manifest.namespace_flux-system'], name);
    const controllersRunWith = [
      'kubernetes_manifest.namespace_flux-system',
      ...ofKind('deployment_', 'serviceaccount_', 'clusterrole_', 'clusterrolebinding_').map(
        (n) => `kubernetes_manifest.${n}`,
      ),
    ].sort();
    const crds = ofKind('customresourcedefinition_');
    assert.equal(crds.length, 11);
    for (const crd of crds) assert.deepEqual(deps(crd), controllersRunWith, crd);
  });
});
