import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { Fn, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { GitRepository, Kustomization, RECONCILE_REQUEST_ANNOTATION } from '../../constructs';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import { manifests } from '../support/manifests';
import { synthConstructs, synthStack } from '../support/synth';

const v294 = manifests('v2.9.4');

function repository(scope: Construct, props: { interval?: string; readyTimeout?: string; url?: string } = {}) {
  return new GitRepository(scope, 'flux-system', {
    manifests: v294,
    url: props.url ?? 'ssh://git@github.com/mark-icy/infra-new',
    interval: props.interval,
    readyTimeout: props.readyTimeout,
  });
}

/** The kubernetes_manifest of the GitRepository, as OpenTofu reads it. */
function synthRepository(props: Parameters<typeof repository>[1]) {
  const synthesized = synthConstructs((scope) => repository(scope, props));
  return synthesized.resource.kubernetes_manifest['gitrepository_flux-system_flux-system'] as Record<string, any>;
}

const requestOf = (resource: Record<string, any>) =>
  resource.manifest.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];

describe('waiting for Flux to report an object Ready', () => {
  test('waits until Flux has handled the reconcile request of this spec and is Ready, within the timeout', () => {
    const resource = synthRepository({ readyTimeout: '3m' });
    const request = requestOf(resource);
    const spec = resource.manifest.spec;
    assert.equal(request, createHash('sha1').update(JSON.stringify(spec)).digest('hex'), 'the sha1 of the spec');
    assert.deepEqual(resource.wait, {
      fields: {
        'status.lastHandledReconcileAt': `^${request}$`,
        'status.conditions[0].type': '^Ready$',
        'status.conditions[0].status': '^True$',
      },
    });
    assert.deepEqual(resource.timeouts, { create: '3m', update: '3m' });
  });

  test('asks for a new reconcile whenever the spec changes, and only then', () => {
    const request = (interval: string) => requestOf(synthRepository({ readyTimeout: '3m', interval }));
    assert.equal(request('2m'), request('2m'));
    assert.notEqual(request('2m'), request('3m'), 'a changed spec is a new request: an old Ready does not count');
  });

  test('asks for a new reconcile when dependsOn changes, which is resolved only at synth', () => {
    const request = (dependency: string) => {
      const synthesized = synthConstructs((scope) => {
        const repo = repository(scope, { readyTimeout: '1m' });
        const other = new Kustomization(scope, dependency, { manifests: v294, sourceRef: repo, prune: true });
        const apps = { manifests: v294, sourceRef: repo, prune: true, dependsOn: [other], readyTimeout: '1m' };
        new Kustomization(scope, 'apps', apps);
      });
      return requestOf(
        synthesized.resource.kubernetes_manifest['kustomization_flux-system_apps'] as Record<string, any>,
      );
    };
    assert.notEqual(request('infra'), request('crds'));
  });

  test('lets OpenTofu hash a spec with references, so a changed variable is a new request too', () => {
    const synthesized = synthConstructs((scope) => {
      const branch = new TerraformVariable(scope, 'git_branch', { type: 'string' }).stringValue;
      const repo = repository(scope, { readyTimeout: '1m' });
      new Kustomization(scope, 'apps', {
        manifests: v294,
        sourceRef: repo,
        prune: true,
        path: branch,
        readyTimeout: '1m',
      });
    });
    const apps = synthesized.resource.kubernetes_manifest['kustomization_flux-system_apps'] as Record<string, any>;
    const request = requestOf(apps);
    assert.match(request, /^\$\{sha1\(join\("", \[".*\\"path\\":\\"", var\.git_branch, "\\",.*"\]\)\)\}$/);
    assert.equal(apps.wait.fields['status.lastHandledReconcileAt'], `^${request}$`);
  });

  test('hashes a reference that is an expression with string literals, such as a credentials version', () => {
    const synthesized = synthConstructs((scope) => {
      const key = new TerraformVariable(scope, 'public_key', { type: 'string' }).stringValue;
      new GitRepository(scope, 'platform', {
        manifests: v294,
        url: 'ssh://git@github.com/mark-icy/platform',
        readyTimeout: '1m',
        reconcileOn: [Fn.sha1(Fn.join('\n', [key, 'github.com ssh-ed25519 AAAA']))],
      });
    });
    const resource = synthesized.resource.kubernetes_manifest['gitrepository_flux-system_platform'] as Record<
      string,
      any
    >;
    // The version's own quotes stay an expression's: "\n" and the literal, not \"\n\".
    const request: string = requestOf(resource);
    assert.ok(request.includes(', sha1(join("\\n", [var.public_key, "github.com ssh-ed25519 AAAA"])), '), request);
  });

  test('does not wait when no timeout is given', () => {
    const resource = synthRepository({});
    assert.equal(resource.wait, undefined);
    assert.equal(requestOf(resource), undefined);
  });

  test('fails if readyTimeout is not a positive duration', () => {
    assert.throws(
      () => synthRepository({ readyTimeout: '5 minutes' }),
      /readyTimeout "5 minutes" is not a positive duration; use Go syntax such as 5m or 1m30s/,
    );
  });
});

describe('syncWait', () => {
  async function waits(settings: Partial<EnvironmentSettings>): Promise<Record<string, unknown>> {
    const { sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', ...settings });
    const resources = synthStack(sync).resource.kubernetes_manifest as Record<string, Record<string, any>>;
    return Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, r.timeouts?.create ?? 'none']));
  }

  test('waits for the GitRepository and every Kustomization, 5m each, by default', async () => {
    assert.deepEqual(await waits({}), {
      'gitrepository_flux-system_flux-system': '5m',
      'kustomization_flux-system_infra-controllers': '5m',
      'kustomization_flux-system_infra-prereqs': '5m',
      'kustomization_flux-system_apps': '5m',
      'kustomization_flux-system_secrets': '5m',
    });
  });

  test('waits for the source alone, or for nothing, with the timeout given', async () => {
    const source = await waits({ syncWait: { waitFor: 'source', timeout: '90s' } });
    assert.equal(source['gitrepository_flux-system_flux-system'], '90s');
    assert.deepEqual(new Set(Object.values(source)), new Set(['90s', 'none']));
    assert.deepEqual(new Set(Object.values(await waits({ syncWait: { waitFor: 'none' } }))), new Set(['none']));
  });

  test('fails if the timeout is zero or waitFor is unknown', async () => {
    await assert.rejects(
      waits({ syncWait: { timeout: '0s' } }),
      /syncWait\.timeout "0s": is not a positive duration; use Go syntax such as 5m or 1m30s/,
    );
    await assert.rejects(
      waits({ syncWait: { waitFor: 'everything' as 'all' } }),
      /syncWait\.waitFor "everything": is not one of all, source, none/,
    );
  });
});
