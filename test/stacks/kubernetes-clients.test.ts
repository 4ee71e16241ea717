import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import '../support/manifests';
import { synthStack } from '../support/synth';

async function bootstrap(settings: Partial<EnvironmentSettings> = {}) {
  return synthStack((await addFluxEnvironment(Testing.app(), { name: 'dev', ...settings })).bootstrap) as ReturnType<
    typeof synthStack
  > & { import?: { to: string; id: string; provider?: string }[] };
}

/** How many Kubernetes objects each provider configuration manages. */
function objectsPerProvider(synthesized: Awaited<ReturnType<typeof bootstrap>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of ['kubernetes_manifest', 'kubernetes_secret_v1']) {
    for (const resource of Object.values(synthesized.resource[type] ?? {})) {
      const provider = String(resource.provider ?? 'kubernetes');
      counts[provider] = (counts[provider] ?? 0) + 1;
    }
  }
  return counts;
}

describe('the bootstrap stack spreads its objects over kubernetes clients', () => {
  test('over four provider configurations by default, evenly (the first takes the remainder)', async () => {
    const synthesized = await bootstrap();
    assert.deepEqual(objectsPerProvider(synthesized), {
      kubernetes: 9,
      'kubernetes.client_2': 8,
      'kubernetes.client_3': 8,
      'kubernetes.client_4': 8,
    });
  });

  test('with kubernetesClients 1, one configuration and no provider on any resource', async () => {
    const synthesized = await bootstrap({ kubernetesClients: 1 });
    assert.equal(synthesized.provider?.kubernetes.length, 1);
    assert.deepEqual(objectsPerProvider(synthesized), { kubernetes: 33 });
    assert.ok(Object.values(synthesized.resource.kubernetes_manifest).every((r) => r.provider === undefined));
  });

  test("imports each adopted object through its resource's provider configuration", async () => {
    const synthesized = await bootstrap({ adopt: true });
    const imports = synthesized.import ?? [];
    assert.equal(imports.length, 33);
    for (const { to, provider } of imports) {
      const [type, name] = to.split('.');
      const expected = synthesized.resource[type][name].provider;
      assert.equal(provider, expected === 'kubernetes' ? undefined : expected, to);
    }
    assert.ok(imports.some((i) => i.provider === 'kubernetes.client_3'));
  });

  for (const kubernetesClients of [0, 11, 2.5, '4']) {
    test(`fails if kubernetesClients is ${JSON.stringify(kubernetesClients)}`, async () => {
      await assert.rejects(
        addFluxEnvironment(Testing.app(), { name: 'dev', kubernetesClients: kubernetesClients as number }),
        new RegExp(
          `kubernetesClients ${JSON.stringify(kubernetesClients)}: must be a whole number from 1 to 10 ` +
            '\\(OpenTofu works on at most 10 objects at once\\)',
        ),
      );
    });
  }
});
