// The deploy keys a stack registers on GitHub (github_repository_deploy_key), kept at exactly one
// per resource whatever happened to earlier runs. Two things leave a key no state knows:
// - an answer that was lost (GitHub registered the key, then the apply failed or was killed
//   before it wrote state): the key pair is still in state, so a rerun would POST the same key
//   again and GitHub would refuse it as "key is already in use". That key is taken over instead,
//   with an import block for the apply.
// - a key pair that is gone (state deleted, or a kill -9 before state was written): a new pair is
//   made, and the old key stays authorized with nobody to use it. After a successful apply the
//   keys of this resource's title, and the key the Secret held before the apply replaced it
//   (adopting a `flux bootstrap` cluster, lost state), are removed from GitHub.
import { spawnSync } from 'node:child_process';
import { githubApiUrl } from '../lib/github-api-url';
import { kubernetesClient, stackCluster } from './flux-sync-status';
import { addressesOf, attributesAt, StackState } from './stack-state';
import type { Found } from './take-over';

interface DeployKeyJson {
  key: string;
  repository: string;
  title: string;
  provider?: string;
}

interface StackJson {
  variable?: Record<string, { default?: string }>;
  provider?: { github?: { alias?: string; base_url?: string; token?: string }[] };
  resource?: {
    github_repository_deploy_key?: Record<string, DeployKeyJson>;
    kubernetes_secret_v1?: Record<
      string,
      { metadata: { name: string; namespace?: string }; data?: Record<string, string> }
    >;
  };
}

/** A deploy key resource of the stack and where its parts are. */
export interface DeployKeyResource {
  readonly address: string;
  /** The key pair it registers (tls_private_key), when the key is one. */
  readonly keyPair?: string;
  /** The github_repository_deploy_keys data source it takes the repository from (its id is owner/name). */
  readonly repositoryData?: string;
  /** The Secret that hands the key pair to Flux. */
  readonly secret?: { address: string; name: string; namespace: string };
  readonly api: GitHubApi;
}

export interface GitHubKey {
  readonly id: number;
  readonly key: string;
  readonly title: string;
}

/** GitHub's REST API as the github provider reaches it: its base_url and token. */
export class GitHubApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  private async call(method: string, path: string): Promise<unknown> {
    if (!this.token)
      throw new Error('GITHUB_TOKEN is not set (nor a GitHub CLI login), which the github provider needs too');
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/vnd.github+json' },
    });
    if (!response.ok) {
      const { message } = (await response.json().catch(() => ({}))) as { message?: string };
      throw new Error(`${method} ${this.baseUrl}${path}: ${response.status} ${message ?? response.statusText}`);
    }
    return response.status === 204 ? undefined : response.json();
  }

  /** Every deploy key of `owner/name`. */
  public async keys(fullName: string): Promise<GitHubKey[]> {
    const all: GitHubKey[] = [];
    for (let page = 1; ; page++) {
      const keys = (await this.call('GET', `repos/${fullName}/keys?per_page=100&page=${page}`)) as GitHubKey[];
      all.push(...keys);
      if (keys.length < 100) return all;
    }
  }

  public async remove(fullName: string, id: number): Promise<void> {
    await this.call('DELETE', `repos/${fullName}/keys/${id}`);
  }
}

const literal = (value: string | undefined) => (value && !value.includes('${') ? value : undefined);
const reference = (value: string | undefined, pattern: RegExp) => pattern.exec(value ?? '')?.[1];

/** The provider's base URL (base_url, else GITHUB_BASE_URL, else github.com's API) and token. */
function githubApiOf(provider: { base_url?: string; token?: string } | undefined, env: NodeJS.ProcessEnv): GitHubApi {
  const base = new URL(literal(provider?.base_url) ?? env.GITHUB_BASE_URL ?? 'https://api.github.com/');
  return new GitHubApi(
    githubApiUrl(base.href),
    literal(provider?.token) ?? env.GITHUB_TOKEN ?? tokenFromGitHubCli(base),
  );
}

/** As the provider does without a token: `gh auth token` for the host, when gh is logged in. */
function tokenFromGitHubCli(base: URL): string | undefined {
  const host = base.hostname === 'api.github.com' ? 'github.com' : base.host;
  const gh = spawnSync(process.env.GH_PATH ?? 'gh', ['auth', 'token', '--hostname', host], { encoding: 'utf8' });
  return gh.status === 0 ? gh.stdout.trim() || undefined : undefined;
}

export function deployKeyResources(config: StackJson, env = process.env): DeployKeyResource[] {
  const providers = config.provider?.github ?? [];
  return Object.entries(config.resource?.github_repository_deploy_key ?? {}).map(([name, resource]) => {
    const keyPair = reference(resource.key, /^\$\{(tls_private_key\.[^.]+)\.public_key_openssh\}$/);
    const secret = Object.entries(config.resource?.kubernetes_secret_v1 ?? {}).find(
      ([, s]) => keyPair && s.data?.['identity.pub'] === resource.key,
    );
    const alias = resource.provider?.split('.')[1];
    return {
      address: `github_repository_deploy_key.${name}`,
      keyPair,
      repositoryData: reference(
        resource.repository,
        /^\$\{(data\.github_repository_deploy_keys\.[^.]+)\.repository\}$/,
      ),
      secret: secret && {
        address: `kubernetes_secret_v1.${secret[0]}`,
        name: secret[1].metadata.name,
        namespace: secret[1].metadata.namespace ?? 'default',
      },
      api: githubApiOf(
        providers.find((p) => p.alias === alias),
        env,
      ),
    };
  });
}

/** `ssh-ed25519 AAAA...` without its comment and newline, as GitHub keeps a key. */
export const bareKey = (key: string) => key.trim().split(/\s+/).slice(0, 2).join(' ');

const repositoryOf = (state: StackState, r: DeployKeyResource) =>
  r.repositoryData ? (attributesAt(state, r.repositoryData)?.id as string | undefined) : undefined;

const describe = (key: GitHubKey, fullName: string) => `deploy key ${key.id} "${key.title}" of ${fullName}`;

/**
 * Deploy keys GitHub holds for a key pair in state whose resource is not in state: registered by
 * a run whose answer was lost. Imported, so that the apply does not register the key again.
 */
export async function deployKeysToTakeOver(resources: readonly DeployKeyResource[], state: StackState) {
  const inState = addressesOf(state);
  const found: Found[] = [];
  for (const r of resources) {
    const publicKey = r.keyPair && (attributesAt(state, r.keyPair)?.public_key_openssh as string | undefined);
    const fullName = repositoryOf(state, r);
    if (inState.has(r.address) || !publicKey || !fullName) continue;
    const registered = (await r.api.keys(fullName)).find((k) => k.key === bareKey(publicKey));
    if (registered)
      found.push({
        address: r.address,
        label: describe(registered, fullName),
        importId: `${fullName.split('/')[1]}:${registered.id}`,
      });
  }
  return found;
}

/**
 * The public keys the stack's Secrets hold on the cluster while state does not know them (adopted,
 * or left by a lost state): once the apply has replaced them, nobody holds their private half.
 */
export async function keysBeingReplaced(
  resources: readonly DeployKeyResource[],
  state: StackState,
  config: StackJson,
): Promise<string[]> {
  const inState = addressesOf(state);
  const secrets = resources.flatMap((r) => (r.secret && !inState.has(r.secret.address) ? [r.secret] : []));
  if (secrets.length === 0) return [];
  const client = await kubernetesClient(stackCluster(config));
  const keys = await Promise.all(
    secrets.map(async ({ name, namespace }) => {
      try {
        const live = (await client.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } })) as {
          data?: Record<string, string>;
        };
        const pub = live.data?.['identity.pub'];
        return pub ? [bareKey(Buffer.from(pub, 'base64').toString())] : [];
      } catch (error) {
        if ((error as { code?: number }).code === 404) return [];
        throw error;
      }
    }),
  );
  return keys.flat();
}

/**
 * After a successful apply: removes from GitHub every other key of each deploy key resource's
 * title, and the keys in `replaced`, so that exactly the key in state is left. Returns what it removed.
 */
export async function removeOrphanedDeployKeys(
  resources: readonly DeployKeyResource[],
  state: StackState,
  replaced: readonly string[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const r of resources) {
    const own = attributesAt(state, r.address) as { id?: string; title?: string } | undefined;
    const fullName = repositoryOf(state, r);
    if (!own?.id || !fullName) continue;
    const id = Number(own.id.split(':')[1]);
    const orphans = (await r.api.keys(fullName)).filter(
      (k) => k.id !== id && (k.title === own.title || replaced.includes(k.key)),
    );
    for (const orphan of orphans) {
      await r.api.remove(fullName, orphan.id);
      removed.push(describe(orphan, fullName));
    }
  }
  return removed;
}
