import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider, KubernetesProviderConfig } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Aspects, IAspect, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Configures the kubernetes provider `count` times in `stack` and spreads the stack's Kubernetes
 * objects over the configurations, round-robin in the order they were added.
 *
 * Each configuration is its own provider process with its own API client, and client-go holds a
 * client to 5 requests a second (burst 10), which the provider offers no setting to raise. With one
 * configuration every object of the install waits its turn: about 200 ms per object to plan and
 * 400 ms to apply, whatever the cluster. Terraform plans and applies up to 10 resources at once,
 * so several clients divide that wait; each costs one more process and its own API discovery.
 *
 * The first configuration is the default one (`kubernetes`), the others `kubernetes.client_<n>`.
 * Moving an object to another configuration changes no resource address and plans no change.
 * @returns the configurations, the default one first
 */
export function spreadOverKubernetesClients(
  stack: TerraformStack,
  config: KubernetesProviderConfig,
  count: number,
): KubernetesProvider[] {
  const providers = [new KubernetesProvider(stack, 'kubernetes', config)];
  for (let n = 2; n <= count; n++) {
    providers.push(new KubernetesProvider(stack, `kubernetes-client-${n}`, { ...config, alias: `client_${n}` }));
  }
  if (count > 1) Aspects.of(stack).add(new RoundRobin(providers));
  return providers;
}

/** Gives each Kubernetes object that has no provider of its own the next configuration in turn. */
class RoundRobin implements IAspect {
  private next = 0;

  constructor(private readonly providers: readonly KubernetesProvider[]) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof Manifest || node instanceof SecretV1) || node.provider) return;
    node.provider = this.providers[this.next++ % this.providers.length];
  }
}
