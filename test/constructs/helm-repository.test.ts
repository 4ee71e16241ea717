import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TerraformVariable } from 'cdktf';
import { FluxStackDefaults, HelmRepository, HelmRepositoryProps, RECONCILE_REQUEST_ANNOTATION } from '../../constructs';
import { manifests } from '../support/manifests';
import { manifestsOf, synthConstructs, synthStack, testStack } from '../support/synth';

const v294 = manifests('v2.9.4');

function helmRepository(props: Partial<HelmRepositoryProps> = {}) {
  const synthesized = synthConstructs(
    (scope) => new HelmRepository(scope, 'podinfo', { manifests: v294, url: 'https://charts.example.com', ...props }),
  );
  return synthesized.resource.kubernetes_manifest['helmrepository_flux-system_podinfo'] as Record<string, any>;
}

describe('HelmRepository', () => {
  test('renders a source.toolkit.fluxcd.io/v1 HelmRepository with the defaults resolved', () => {
    assert.deepEqual(helmRepository().manifest, {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { url: 'https://charts.example.com', interval: '1m' },
    });
  });

  test('takes every field of the CRD schema', () => {
    const spec = helmRepository({
      interval: '30m',
      timeout: '90s',
      secretRef: { name: 'charts-auth' },
      certSecretRef: { name: 'charts-ca' },
      passCredentials: true,
      suspend: false,
      accessFrom: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
    }).manifest.spec;
    assert.deepEqual(spec, {
      url: 'https://charts.example.com',
      interval: '30m',
      accessFrom: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
      certSecretRef: { name: 'charts-ca' },
      passCredentials: true,
      secretRef: { name: 'charts-auth' },
      suspend: false,
      timeout: '90s',
    });
  });

  test('an OCI registry has no interval and is not waited for, since Flux never reports it Ready', () => {
    const stack = testStack();
    FluxStackDefaults.set(stack, { manifests: v294, readyTimeout: '5m' });
    const oci = new HelmRepository(stack, 'podinfo', {
      url: 'oci://ghcr.io/stefanprodan/charts',
      type: 'oci',
      provider: 'generic',
      insecure: false,
    });
    const resource = synthStack(stack).resource.kubernetes_manifest['helmrepository_flux-system_podinfo'] as Record<
      string,
      any
    >;
    assert.deepEqual(resource.manifest.spec, {
      type: 'oci',
      url: 'oci://ghcr.io/stefanprodan/charts',
      insecure: false,
      provider: 'generic',
    });
    assert.equal(oci.interval, undefined);
    assert.equal(oci.readyTimeout, undefined);
    assert.equal(resource.wait, undefined);
    assert.equal(resource.manifest.metadata.annotations, undefined);
  });

  test('waits for Ready like the other sources, with the reconcile request of its spec', () => {
    const resource = helmRepository({ readyTimeout: '2m' });
    assert.match(resource.manifest.metadata.annotations[RECONCILE_REQUEST_ANNOTATION], /^[0-9a-f]{40}$/);
    assert.deepEqual(resource.timeouts, { create: '2m', update: '2m' });
  });

  test('skips values that are tokens, known only at plan time', () => {
    const synthesized = synthConstructs((scope) => {
      const url = new TerraformVariable(scope, 'charts_url', { type: 'string' }).stringValue;
      new HelmRepository(scope, 'podinfo', { manifests: v294, url });
    });
    assert.equal(manifestsOf(synthesized)['helmrepository_flux-system_podinfo'].spec.url, '${var.charts_url}');
  });

  test('fails if url is left out', () => {
    assert.throws(() => helmRepository({ url: undefined }), {
      message: 'test/podinfo (HelmRepository flux-system/podinfo): url undefined: is required',
    });
  });

  test('fails if url is not http, https or oci, in the words of the CRD schema', () => {
    assert.throws(() => helmRepository({ url: 'charts.example.com' }), {
      message:
        'test/podinfo (HelmRepository flux-system/podinfo): spec.url: "charts.example.com" does not match ' +
        '^(http|https|oci)://.*$ (source.toolkit.fluxcd.io/v1 HelmRepository schema of Flux v2.9.4)',
    });
  });

  test('fails if interval is not a duration, once', () => {
    assert.throws(() => helmRepository({ interval: '1 hour' }), {
      message:
        'test/podinfo (HelmRepository flux-system/podinfo): spec.interval: "1 hour" is not a duration; use Go ' +
        'syntax such as 10m or 1h30m (units ms, s, m, h) (source.toolkit.fluxcd.io/v1 HelmRepository schema of ' +
        'Flux v2.9.4)',
    });
  });

  test('fails if interval is zero, which Flux refuses', () => {
    assert.throws(() => helmRepository({ interval: '0s' }), {
      message:
        'test/podinfo (HelmRepository flux-system/podinfo): interval "0s" is zero; Flux requires a positive ' +
        'interval (how often it reconciles), such as 1m or 10m',
    });
  });

  test('fails if type is not one the CRD allows', () => {
    assert.throws(
      () => helmRepository({ type: 'git' as never }),
      /: spec\.type: "git" is not one of default, oci \(source\.toolkit\.fluxcd\.io\/v1 HelmRepository schema/,
    );
  });

  test('fails if an oci:// URL is given without type oci, which source-controller refuses', () => {
    assert.throws(() => helmRepository({ url: 'oci://ghcr.io/stefanprodan/charts' }), {
      message:
        'test/podinfo (HelmRepository flux-system/podinfo): url "oci://ghcr.io/stefanprodan/charts" is an OCI ' +
        "registry, which source-controller refuses for a HelmRepository of type default; set type: 'oci'",
    });
  });

  test('fails if type is oci and the URL is not an OCI registry, once', () => {
    assert.throws(() => helmRepository({ type: 'oci', url: 'https://charts.example.com' }), {
      message:
        'test/podinfo (HelmRepository flux-system/podinfo): url "https://charts.example.com" is not an OCI ' +
        'registry, but type is oci; use oci://<registry>/<path>, or leave type out for the index of a Helm ' +
        'repository served over HTTP(S)',
    });
  });

  test('fails if insecure or provider is set for a repository that is not OCI, which Flux ignores', () => {
    const subject = '  test/podinfo (HelmRepository flux-system/podinfo)';
    assert.throws(() => helmRepository({ insecure: true, provider: 'aws' }), {
      message: [
        '2 problems:',
        `${subject}: insecure true is read only for type oci (an OCI registry); for the index of a Helm ` +
          'repository it has no effect, drop it',
        `${subject}: provider "aws" is read only for type oci (an OCI registry); for the index of a Helm ` +
          'repository it has no effect, drop it',
      ].join('\n'),
    });
  });

  test('fails if an OCI registry is given a readyTimeout, which it would never meet', () => {
    assert.throws(() => helmRepository({ type: 'oci', url: 'oci://ghcr.io/stefanprodan/charts', readyTimeout: '5m' }), {
      message:
        'test/podinfo (HelmRepository flux-system/podinfo): readyTimeout "5m": a HelmRepository of type oci is ' +
        'static: source-controller does not reconcile it and never reports it Ready, so the deploy would wait for ' +
        'it until it fails; leave readyTimeout out',
    });
  });

  test('fails if a prop is misspelt, naming the nearest', () => {
    assert.throws(() => helmRepository({ passCredential: true } as never), {
      message:
        'test/podinfo (HelmRepository flux-system/podinfo): passCredential true: is not a prop of HelmRepository; ' +
        'did you mean passCredentials?',
    });
  });
});
