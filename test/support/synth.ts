import assert from 'node:assert/strict';
import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { manifestFileOf, manifestFiles } from '../../constructs/manifest-resource';

/** The synthesized Terraform JSON of a stack, parsed, with validations on. */
export interface SynthesizedStack {
  readonly variable?: Record<string, Record<string, unknown>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, any>>>;
  readonly output?: Record<string, { value: unknown; description?: string }>;
  readonly terraform: Record<string, unknown>;
}

/** cdk.tf.json of a stack, parsed, as written: manifests without references are file references. */
export function synthRaw(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

/**
 * The configuration OpenTofu evaluates for a stack: cdk.tf.json with each manifest file it reads
 * (`jsondecode(file(...))`) in place, as the object written to that file at synth.
 */
export function synthStack(stack: TerraformStack): SynthesizedStack {
  const synthesized = synthRaw(stack);
  const files = manifestFiles(stack);
  for (const resource of Object.values(synthesized.resource.kubernetes_manifest ?? {})) {
    const file = manifestFileOf(resource.manifest);
    if (file === undefined) continue;
    assert.ok(files.has(file), `${file} is read but not written at synth`);
    resource.manifest = structuredClone(files.get(file));
  }
  return synthesized;
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
