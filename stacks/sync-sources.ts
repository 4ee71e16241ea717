import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { Fn, TerraformStack } from 'cdktf';
import {
  Bucket,
  ExistingGitSecret,
  GitHttpsTokenSecret,
  GitHubAccessCheck,
  GitHubDeployKey,
  GitRepository,
  HelmRepository,
  IGitCredentials,
  OCIRepository,
} from '../constructs';
import { SSH_GITHUB_URL } from '../lib/settings-check';
import {
  BucketSourceSettings,
  GitHostSettings,
  GitSourceSettings,
  HelmSourceSettings,
  OciSourceSettings,
  SourceCredentialsSettings,
  SourceSettings,
} from '../settings';
import { StackProblems } from './stack-problems';
import { sourceTokenVariable, sourceTokenVariableName } from './variables';

// The environment's sources as objects of the sync stack: the GitRepositories, OCIRepositories,
// HelmRepositories and Buckets of `sources` (and an OCI `syncSource`), with the credentials the stack makes for
// them. The environment's own GitRepository is the sync stack's, with the bootstrap stack's access.

/** A source a Kustomization or a HelmRelease of the environment can name. */
export type EnvironmentSource = GitRepository | OCIRepository | HelmRepository | Bucket;

/** What every source of one sync stack shares. */
export interface SourceContext {
  readonly stack: TerraformStack;
  /** The Flux namespace, where the sources and their Secrets go. */
  readonly namespace: string;
  /** How long the deploy waits for each source to be Ready; undefined when it does not wait. */
  readonly readyTimeout?: string;
  /** The environment's git host: a deploy key is registered through its API, with its known_hosts. */
  readonly gitHost: GitHostSettings;
  readonly problems: StackProblems;
}

/** Name of the Secret the stack makes for a source's `credentials`. */
const credentialsSecretName = (source: string) => `${source}-credentials`;

/**
 * The environment's other sources, by name; a name taken twice, or the environment's own, is
 * refused. Their construct ids are `source-<name>`, since a Kustomization often has the same name.
 * A source whose settings are refused is left out, its problems in `context.problems`.
 */
export function sourcesOf(context: SourceContext, sources: readonly SourceSettings[]): Map<string, EnvironmentSource> {
  const built = new Map<string, EnvironmentSource>();
  const variables = new Map<string, string>();
  for (const source of sources) {
    if (source.name === 'flux-system' || built.has(source.name)) {
      const taken = source.name === 'flux-system' ? "the environment's own source" : 'declared more than once';
      context.problems.add(
        `${context.stack.node.id}: sources: "${source.name}" is ${taken}; give each source its own name`,
      );
      continue;
    }
    if (source.credentials?.type === 'token') {
      const variable = sourceTokenVariableName(source.name);
      const other = variables.get(variable);
      if (other !== undefined) {
        context.problems.add(
          `${context.stack.node.id}: sources: "${other}" and "${source.name}" would both read their token from ` +
            `the variable ${variable}; rename one of them`,
        );
        continue;
      }
      variables.set(variable, source.name);
    }
    const object = context.problems.attempt(() => sourceObject(context, `source-${source.name}`, source));
    if (object) built.set(source.name, object);
  }
  return built;
}

/** One source of the environment, its credentials made as it asks. */
export function sourceObject(context: SourceContext, id: string, source: SourceSettings): EnvironmentSource {
  switch (source.type) {
    case 'bucket':
      return bucket(context, id, source);
    case 'oci':
      return ociRepository(context, id, source);
    case 'helm':
      return helmRepository(context, id, source);
    case 'git':
      return gitRepository(context, id, source);
  }
}

function ociRepository(context: SourceContext, id: string, source: OciSourceSettings): OCIRepository {
  const { name, url, ref, provider, insecure, interval } = source;
  const secretName = source.credentials
    ? registryLogin(context, `${id}-credentials`, name, url, source.credentials).metadata.name
    : source.secretName;
  return new OCIRepository(context.stack, id, {
    name,
    url,
    ref: ref ?? { tag: 'latest' },
    interval: interval ?? '1m0s',
    secretRef: secretName === undefined ? undefined : { name: secretName },
    provider,
    insecure,
    readyTimeout: context.readyTimeout,
  });
}

function bucket(context: SourceContext, id: string, source: BucketSourceSettings): Bucket {
  const { name, bucketName, endpoint, provider, region, prefix, insecure, interval, credentials } = source;
  // The generic provider reads an access key as `accesskey` and `secretkey`.
  const secretName = credentials
    ? loginSecret(context, `${id}-credentials`, name, {
        accesskey: credentials.username ?? '',
        secretkey: sourceTokenVariable(context.stack, name),
      }).metadata.name
    : source.secretName;
  return new Bucket(context.stack, id, {
    name,
    bucketName,
    endpoint,
    provider,
    region,
    prefix,
    insecure,
    interval: interval ?? '1m0s',
    secretRef: secretName === undefined ? undefined : { name: secretName },
    readyTimeout: context.readyTimeout,
  });
}

function helmRepository(context: SourceContext, id: string, source: HelmSourceSettings): HelmRepository {
  const { name, url, interval, credentials } = source;
  const oci = url.startsWith('oci://');
  let secretName = source.secretName;
  if (credentials) {
    // An OCI registry takes a docker-registry Secret; an index over HTTPS takes basic auth.
    secretName = oci
      ? registryLogin(context, `${id}-credentials`, name, url, credentials).metadata.name
      : loginSecret(context, `${id}-credentials`, name, {
          username: credentials.username ?? '',
          password: sourceTokenVariable(context.stack, name),
        }).metadata.name;
  }
  return new HelmRepository(context.stack, id, {
    name,
    url,
    type: oci ? 'oci' : undefined,
    interval: interval ?? (oci ? undefined : '1m0s'),
    secretRef: secretName === undefined ? undefined : { name: secretName },
    // An OCI HelmRepository is static: Flux never reports it Ready.
    readyTimeout: oci ? undefined : context.readyTimeout,
  });
}

function gitRepository(context: SourceContext, id: string, source: GitSourceSettings): GitRepository {
  const { name, url } = source;
  const transport = url.startsWith('ssh://') ? 'ssh' : 'https';
  let credentials: IGitCredentials | undefined;
  if (source.credentials) credentials = gitCredentials(context, `${id}-credentials`, source, source.credentials);
  else if (source.secretName !== undefined)
    credentials = new ExistingGitSecret({ secretName: source.secretName, namespace: context.namespace, transport });
  return new GitRepository(context.stack, id, {
    name,
    url,
    ref: { branch: source.branch ?? 'main' },
    interval: source.interval ?? '1m0s',
    secretRef: credentials,
    readyTimeout: context.readyTimeout,
    // A new key pair or a deploy key registered again: Flux must fetch again.
    reconcileOn: credentials?.version === undefined ? undefined : [credentials.version],
  });
}

function gitCredentials(
  context: SourceContext,
  id: string,
  source: GitSourceSettings,
  credentials: SourceCredentialsSettings,
): IGitCredentials {
  const { stack, namespace, gitHost } = context;
  const secretName = credentialsSecretName(source.name);
  if (credentials.type === 'token') {
    const token = sourceTokenVariable(stack, source.name);
    const login = new GitHttpsTokenSecret(stack, id, { token, username: credentials.username, secretName, namespace });
    return appliedAfter(login, login.secret);
  }
  const [, host, port, owner, repository] = SSH_GITHUB_URL.exec(source.url) ?? [];
  const sshPort = gitHost.sshPort ?? 22;
  if (host !== gitHost.hostname || Number(port ?? 22) !== sshPort) {
    throw new Error(
      `${stack.node.id}: sources: "${source.name}" url "${source.url}": a deploy key is registered through the ` +
        `API of gitHost ${gitHost.hostname}${sshPort === 22 ? '' : `:${sshPort}`}, which does not host this ` +
        `repository; give a URL on that host, or a Secret of yours (secretName)`,
    );
  }
  if (!gitHost.knownHosts?.trim()) {
    throw new Error(
      `${stack.node.id}: sources: "${source.name}": gitHost.knownHosts is empty for ${gitHost.hostname}; Flux ` +
        `refuses an SSH host it cannot verify. Give its host keys as known_hosts lines`,
    );
  }
  const github = githubProviderFor(stack, owner, gitHost);
  const tls = (stack.node.tryFindChild('tls') as TlsProvider | undefined) ?? new TlsProvider(stack, 'tls');
  // At plan time, so that a token GitHub refuses stops the run before anything is created.
  const checked = new GitHubAccessCheck(stack, `${id}-github-access`, { repository, provider: github });
  const deployKey = new GitHubDeployKey(stack, id, {
    repository: checked.repository,
    namespace,
    secretName,
    algorithm: credentials.algorithm,
    readOnly: credentials.readOnly,
    // `cdktf-flux deploy` keeps one key of each title per repository: one per source.
    title: `Flux (${stack.node.id}, ${source.name})`,
    knownHosts: gitHost.knownHosts,
    providers: { github, tls },
  });
  return appliedAfter(deployKey, deployKey.secret);
}

/**
 * The credentials with the Secret's name as a reference to it, so that the GitRepository, which
 * Flux fetches with at once, is applied after its Secret in the same deploy.
 */
function appliedAfter(credentials: IGitCredentials, secret: SecretV1): IGitCredentials {
  const { namespace, transport, provider, version } = credentials;
  return { secretName: secret.metadata.name, namespace, transport, provider, version };
}

/** One github provider configuration per repository owner, which it takes deploy keys' repositories from. */
function githubProviderFor(stack: TerraformStack, owner: string, gitHost: GitHostSettings): GithubProvider {
  const id = `github-${owner.toLowerCase()}`;
  const existing = stack.node.tryFindChild(id) as GithubProvider | undefined;
  // No token attribute: the provider reads GITHUB_TOKEN, so the token never enters a plan file.
  return existing ?? new GithubProvider(stack, id, { owner, baseUrl: gitHost.apiUrl, alias: id });
}

/**
 * A Secret of the source's credentials, which Flux reads; the source names it by reference
 * (`metadata.name`), so that it is applied after the Secret.
 */
function loginSecret(
  context: SourceContext,
  id: string,
  source: string,
  data: Record<string, string>,
  type?: string,
): SecretV1 {
  return new SecretV1(context.stack, id, {
    metadata: { name: credentialsSecretName(source), namespace: context.namespace },
    type,
    data,
  });
}

/** A docker-registry Secret with the registry's login, as `kubectl create secret docker-registry` makes it. */
function registryLogin(
  context: SourceContext,
  id: string,
  source: string,
  url: string,
  credentials: Extract<SourceCredentialsSettings, { type: 'token' }>,
): SecretV1 {
  const registry = url.replace(/^oci:\/\//, '').split('/')[0];
  const username = credentials.username ?? '';
  const password = sourceTokenVariable(context.stack, source);
  const login = { username, password, auth: Fn.base64encode(`${username}:${password}`) };
  const config = Fn.jsonencode({ auths: { [registry]: login } });
  return loginSecret(context, id, source, { '.dockerconfigjson': config }, 'kubernetes.io/dockerconfigjson');
}
