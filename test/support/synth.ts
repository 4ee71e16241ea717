import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** The synthesized Terraform JSON of a stack, parsed, with validations on. */
export interface SynthesizedStack {
  readonly variable?: Record<string, Record<string, unknown>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, any>>>;
  readonly output?: Record<string, { value: unknown; description?: string }>;
  readonly terraform: Record<string, unknown>;
}

export function synthStack(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

/** A stack named `test` with the three providers, as a stack of the app would have them. */
export function testStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'kubernetes', {});
  new GithubProvider(stack, 'github', {});
  new TlsProvider(stack, 'tls', {});
  return stack;
}

/** Builds constructs in a fresh test stack and synthesizes it with validations on. */
export function synthConstructs(build: (scope: Construct) => void): SynthesizedStack {
  const stack = testStack();
  build(stack);
  return synthStack(stack);
}

/** `manifest` attributes of every kubernetes_manifest, by resource name. */
export function manifestsOf(synthesized: SynthesizedStack): Record<string, Record<string, any>> {
  const resources = synthesized.resource.kubernetes_manifest ?? {};
  return Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, r.manifest as Record<string, any>]));
}
