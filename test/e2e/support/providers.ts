import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLCHAIN_BIN } from './kubectl';

// Which providers the live suite deploys with.
// - The real ones, wherever they can be installed: a CLI configuration with a filesystem mirror
//   named by TF_CLI_CONFIG_FILE, or CDKTF_FLUX_E2E_PROVIDERS=registry to install them online.
//   CDKTF_FLUX_E2E_PROVIDERS=real insists on the mirror: a TF_CLI_CONFIG_FILE that does not exist
//   fails the run instead of falling back to the stand-in.
// - Otherwise the stand-in (test/e2e/providers), laid out as a filesystem mirror under the
//   addresses and versions the stacks require, so that OpenTofu installs, plans and applies it
//   exactly as it would the real ones, offline.
// Each live file prints a `# providers:` line saying which it ran with, and why.

export interface ProviderSetup {
  readonly mode: 'stand-in' | 'real';
  /** Environment for tofu and cdktf. */
  readonly env: Record<string, string>;
}

const TOFU = join(TOOLCHAIN_BIN, 'tofu');

/** `provider[<address>] <version>` lines of `tofu providers` for these requirements. */
function providerAddresses(
  requiredProviders: Record<string, { source: string; version?: string }>,
): { address: string; version: string }[] {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'cdktf-flux-providers-'));
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: requiredProviders } }));
  const out = execFileSync(TOFU, ['providers', '-no-color'], {
    cwd: dir,
    env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
    encoding: 'utf8',
  });
  rmSync(dir, { recursive: true, force: true });
  return [...out.matchAll(/provider\[([^\]]+)\] (\S+)/g)].map(([, address, version]) => ({ address, version }));
}

export function providerSetup(
  workdir: string,
  requiredProviders: Record<string, { source: string; version?: string }>,
): ProviderSetup {
  // cdktf points TF_PLUGIN_CACHE_DIR at ~/.terraform.d/plugin-cache unless it is set, and OpenTofu
  // caches a mirror's provider there by address and version, as a link into the mirror. The
  // stand-in has the real providers' addresses and versions: through the shared cache it would
  // take the place of the real ones in every other project and run of this machine (and leave
  // links into folders that are deleted). Each run keeps its own cache.
  const pluginCache = join(workdir, 'plugin-cache');
  mkdirSync(pluginCache, { recursive: true });
  const isolated = { TF_PLUGIN_CACHE_DIR: pluginCache };
  const config = process.env.TF_CLI_CONFIG_FILE;
  const wanted = process.env.CDKTF_FLUX_E2E_PROVIDERS;
  if (config && existsSync(config)) {
    console.log(`# providers: real, from the CLI configuration TF_CLI_CONFIG_FILE=${config}`);
    return { mode: 'real', env: { ...isolated, TF_CLI_CONFIG_FILE: config } };
  }
  if (wanted === 'registry') {
    console.log('# providers: real, installed from the registry (CDKTF_FLUX_E2E_PROVIDERS=registry)');
    return { mode: 'real', env: isolated };
  }
  // A machine may set TF_CLI_CONFIG_FILE to a file that does not exist: said, never taken silently.
  const missing = config ? `TF_CLI_CONFIG_FILE=${config} does not exist` : 'TF_CLI_CONFIG_FILE is not set';
  if (wanted === 'real')
    throw new Error(
      `CDKTF_FLUX_E2E_PROVIDERS=real, but ${missing}: point it at a CLI configuration whose filesystem mirror ` +
        `holds the real providers (README, "The live suite with the real providers")`,
    );
  console.log(`# providers: stand-in (test/e2e/providers), as ${missing}`);
  const mirror = join(workdir, 'provider-mirror');
  for (const { address, version } of providerAddresses(requiredProviders)) {
    const type = address.split('/').pop()!;
    const dir = join(
      mirror,
      address,
      version,
      `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`,
    );
    mkdirSync(dir, { recursive: true });
    const binary = join(dir, `terraform-provider-${type}_v${version}`);
    copyFileSync(join(TOOLCHAIN_BIN, 'terraform-provider-stand-in'), binary);
    chmodSync(binary, 0o755);
  }
  const standIn = join(workdir, 'tofu.tfrc');
  writeFileSync(
    standIn,
    `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`,
  );
  return { mode: 'stand-in', env: { ...isolated, TF_CLI_CONFIG_FILE: standIn } };
}
