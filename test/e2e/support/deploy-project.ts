import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { EnvironmentSettings } from '../../../settings';
import { addFluxEnvironment } from '../../../stacks';
import { MANIFESTS_DIR } from '../../support/manifests';
import { synthStack } from '../../support/synth';
import { CdktfProject, CommandResult } from './project';
import { providerSetup, ProviderSetup } from './providers';

/** The token and the repository the GitHub double serves the live suite. */
export const TOKEN = 'ghp_e2eDoubleToken';
export const REPOSITORY = 'mark-icy/infra-new';
export const BOTH = ['dev-flux-bootstrap', 'dev-flux-sync'];

/**
 * `dev` on that repository, where no Flux controllers run (only gitops.e2e.test.ts has them), so
 * nothing would ever be Ready: the deploys do not wait for the sync.
 */
export const DEV: EnvironmentSettings = {
  name: 'dev',
  githubOrg: 'mark-icy',
  githubRepository: 'infra-new',
  syncWait: { waitFor: 'none' },
};

/**
 * A project in `<workdir>/project` deploying `settings`' stacks with the providers this run has
 * (real or stand-in, said on the output), the suite's Flux manifests and `env` (the cluster, GitHub).
 */
export async function deployProject(
  workdir: string,
  settings: EnvironmentSettings,
  env: Record<string, string>,
): Promise<{ project: CdktfProject; setup: ProviderSetup }> {
  const { bootstrap } = await addFluxEnvironment(Testing.app(), settings);
  const requiredProviders = (synthStack(bootstrap).terraform as { required_providers: never }).required_providers;
  const setup = providerSetup(workdir, requiredProviders);
  const project = new CdktfProject(join(workdir, 'project'), {
    ...setup.env,
    FLUX_MANIFESTS_DIR: MANIFESTS_DIR,
    ...env,
  });
  return { project, setup };
}

/** Asserts the command succeeded, keeping its whole output beside `workdir` when not; prints its time. */
export function succeeded(result: CommandResult, what: string, workdir: string): CommandResult {
  if (!result.ok) {
    const log = join(workdir, '..', `cdktf-flux-e2e-failed-${Date.now()}.log`);
    writeFileSync(log, result.output);
    assert.fail(`${what} failed after ${result.seconds} s (whole output in ${log}):\n${result.output.slice(-4000)}`);
  }
  console.log(`# ${what}: ${result.seconds.toFixed(1)} s`);
  return result;
}
