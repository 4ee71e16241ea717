import { existsSync } from 'node:fs';
import { EXISTING_GIT_SECRET_PROPS, GITHUB_KNOWN_HOSTS } from './constructs/git-credentials';
import { GITHUB_APP_ID } from './constructs/github-app-secret';
import { GITHUB_DEPLOY_KEY_PROPS } from './constructs/github-deploy-key';
import { HELM_RELEASE_PROPS, HelmReleaseProps } from './constructs/helm-release';
import { KUSTOMIZATION_NAME, KUSTOMIZATION_PROPS, KustomizationProps } from './constructs/kustomization';
import { FluxInstallOptions } from './lib/install-options';
import { BRANCH, NAME, NAMESPACE, POSITIVE_DURATION, SOURCE_PATH } from './lib/rules';
import {
  BACKENDS,
  environmentSubject,
  GIT_HOST,
  githubAppSource,
  INSTALL,
  installCombinations,
  problemsError,
  settingsProblems,
  sourceCredentials,
} from './lib/settings-check';
import {
  boolean,
  Check,
  fieldsOf,
  list,
  object,
  oneOf,
  problem,
  required,
  string,
  stringList,
  union,
} from './lib/shape';

// The typed settings of an environment and their defaults: fixed at synth, reviewed as code, and
// checked at run time (they may come from JSON or YAML). What differs between runs of the same
// configuration, and the token, are Terraform variables instead, declared by the stacks
// (stacks/variables.ts).

/**
 * How Flux authenticates to the repository.
 * - `deploy-key`: a generated key pair registered as a GitHub deploy key (what `flux bootstrap` does).
 * - `https-token`: the github_token itself, over HTTPS.
 * - `existing-secret`: a Secret made outside Terraform; nothing is created and no token is needed.
 * - `github-app`: a GitHub App installed on the repository (Flux v2.5 or later), over HTTPS: with
 *   `appId` and `installationId`, its private key comes from the sensitive variable
 *   `github_app_private_key` (TF_VAR_github_app_private_key) into a Secret the stack manages; with
 *   `secretName`, from a Secret made outside Terraform holding githubAppID, githubAppInstallationID and
 *   githubAppPrivateKey. No deploy key and no GitHub token are involved. On a GitHub Enterprise
 *   Server, `gitHost.apiUrl` is the API Flux asks for installation tokens.
 */
export type GitAuthSettings =
  | {
      /** A key pair made by the bootstrap stack, registered on the repository as a deploy key. */
      readonly type: 'deploy-key';
      /**
       * The key pair's algorithm: ECDSA on the P-256 curve, or Ed25519. Changing it replaces the key
       * pair and the deploy key.
       * @default ECDSA
       */
      readonly algorithm?: 'ECDSA' | 'ED25519';
      /**
       * Register the key read-only. Image automation pushes commits and needs `false`.
       * @default true
       */
      readonly readOnly?: boolean;
    }
  | {
      /**
       * The `github_token` variable (TF_VAR_github_token, sensitive), written into the Secret Flux
       * reads, over HTTPS. Refused with a git host whose URL is plain `http://`.
       */
      readonly type: 'https-token';
    }
  | {
      /** A Secret made outside Terraform (such as the one `flux bootstrap` made): read, never written. */
      readonly type: 'existing-secret';
      /** Name of the Secret, in the Flux namespace: a DNS-1123 subdomain. */
      readonly secretName: string;
      /**
       * What the Secret holds: an SSH key (`identity`, `known_hosts`), and the repository URL is
       * `ssh://`; or HTTPS credentials (`username`, `password`), and the URL is `https://`.
       * @default ssh
       */
      readonly transport?: 'ssh' | 'https';
    }
  | GitHubAppAuthSettings;

/**
 * A GitHub App's installation as Flux's credentials (`type: 'github-app'`): its ids, with the key
 * from the sensitive variable `github_app_private_key`; or a Secret of yours holding all three.
 */
export type GitHubAppAuthSettings =
  | {
      /** A GitHub App, its key from TF_VAR_github_app_private_key into a Secret the stack manages. */
      readonly type: 'github-app';
      /** The App's id ("App ID" on its settings page): a positive whole number. */
      readonly appId: number;
      /** The id of the App's installation on the repository's owner: a positive whole number. */
      readonly installationId: number;
      /** Not with the ids: the Secret would hold them. */
      readonly secretName?: never;
    }
  | {
      /** A GitHub App whose ids and key are in a Secret made outside Terraform. */
      readonly type: 'github-app';
      /** Name of the Secret, holding githubAppID, githubAppInstallationID and githubAppPrivateKey. */
      readonly secretName: string;
      /** Not with a Secret, which holds it. */
      readonly appId?: never;
      /** Not with a Secret, which holds it. */
      readonly installationId?: never;
    };

/**
 * Where the repository is hosted: github.com by default, or a GitHub Enterprise Server (or any
 * host serving the same REST API and SSH git access).
 */
export interface GitHostSettings {
  /** Host name of the git server, such as `github.example.com`. */
  readonly hostname: string;
  /**
   * SSH port of the git server.
   * @default 22
   */
  readonly sshPort?: number;
  /**
   * HTTPS port of the git server, for the https auth types (`github-app`, `https-token`).
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * The certificate (PEM) of the CA that signed the host's HTTPS certificate, when it is not one
   * the controllers trust already (a GitHub Enterprise Server with a private CA). Written as
   * `ca.crt` into the Secret of the https auth types; Flux verifies the git host and the GitHub
   * App's API with it.
   * @default - the system's CAs
   */
  readonly caCert?: string;
  /**
   * The host's SSH keys as known_hosts lines (`ssh-keyscan -p <port> <host>`, then check the
   * fingerprints out of band). Required with SSH: Flux refuses a host it cannot verify.
   */
  readonly knownHosts?: string;
  /**
   * Base URL of the host's REST API, given to the github provider as `base_url`
   * (GitHub Enterprise Server: `https://<host>/`).
   * @default - github.com's API
   */
  readonly apiUrl?: string;
}

/** github.com, with GitHub's published SSH host keys. */
export const GITHUB_COM: GitHostSettings = { hostname: 'github.com', knownHosts: GITHUB_KNOWN_HOSTS };

/**
 * One Kustomization of a repository's layout, as data: every typed field of {@link KustomizationProps}
 * but the references, with `dependsOn` naming other Kustomizations of the environment.
 */
export type KustomizationSettings = Omit<
  KustomizationProps,
  'manifests' | 'sourceRef' | 'dependsOn' | 'kubernetesProvider' | 'adopt' | 'name' | 'reconcileOn'
> & {
  /** Name of the Kustomization. */
  readonly name: string;
  /**
   * Names of the Kustomizations of this environment that must be Ready first.
   * @default - none
   */
  readonly dependsOn?: readonly string[];
  /**
   * Name of the source it applies: one of the environment's `sources`.
   * @default - the environment's own source, `flux-system`
   */
  readonly source?: string;
};

/**
 * One HelmRelease of the environment, as data: every typed field of {@link HelmReleaseProps} but the
 * references, with the chart named in one of the environment's `sources`, and `dependsOn` naming its
 * HelmReleases and Kustomizations.
 */
export type HelmReleaseSettings = Omit<
  HelmReleaseProps,
  'chart' | 'chartRef' | 'dependsOn' | 'manifests' | 'kubernetesProvider' | 'adopt' | 'name' | 'reconcileOn'
> & {
  /** Name of the HelmRelease. */
  readonly name: string;
  /**
   * Name of the source holding the chart: a `helm` source (the chart by its name), a `git` source
   * (the chart by its path), or an `oci` source, whose artifact is the chart (Flux's chartRef).
   */
  readonly source: string;
  /** The chart's name in a Helm repository, or its path in a git repository; not with an `oci` source. */
  readonly chart?: string;
  /**
   * A semver range of the chart's versions, in a Helm repository.
   * @default * (the newest)
   */
  readonly version?: string;
  /**
   * Names of the HelmReleases and Kustomizations of this environment that must be Ready first
   * (see {@link HelmReleaseProps.dependsOn} for how each is waited for).
   * @default - none
   */
  readonly dependsOn?: readonly string[];
};

/**
 * The default layout of a repository: infrastructure controllers, then their prerequisites (after
 * the controllers), the environment's apps, and the secrets. Every environment gets it unless it
 * declares its own `kustomizations`.
 * @param appsPath - path of the environment's apps in the repository, such as `./apps/staging`
 * @param infrastructurePath - the folder holding `controllers/` and `prereqs/`
 */
export function defaultKustomizations(
  appsPath: string,
  infrastructurePath = './infrastructure',
): KustomizationSettings[] {
  const infra = { interval: '10m0s', retryInterval: '1m0s', timeout: '5m0s', prune: true };
  return [
    { name: 'infra-controllers', path: `${infrastructurePath}/controllers`, ...infra },
    { name: 'infra-prereqs', path: `${infrastructurePath}/prereqs`, ...infra, dependsOn: ['infra-controllers'] },
    { name: 'apps', path: appsPath, interval: '1h', retryInterval: '1m', timeout: '5m', prune: true },
    { name: 'secrets', path: './secrets', interval: '10m', retryInterval: '1m', timeout: '5m', prune: true },
  ];
}

/**
 * Where a stack keeps its state. Every stack gets its own state (its name is part of the key),
 * and the state holds the deploy key's private half: keep it encrypted and access-controlled.
 */
export type StateBackendSettings =
  | {
      /**
       * A file per stack, `<directory>/terraform.<stack>.tfstate`, by absolute path: never under
       * cdktf.out, which synth rewrites and removes stacks from.
       */
      readonly type: 'local';
      /**
       * The folder the state files go to; relative paths are taken from the project directory.
       * @default - the project directory (where cdktf runs the app)
       */
      readonly directory?: string;
    }
  | {
      /** An object per stack in an S3 bucket, `<keyPrefix><stack>.tfstate`. */
      readonly type: 's3';
      /** Name of the bucket, which must exist: 3 to 63 lower-case letters, digits, `.` and `-`. */
      readonly bucket: string;
      /** AWS region of the bucket, such as `eu-west-1`. */
      readonly region: string;
      /**
       * What each stack's key starts with; the key is `<keyPrefix><stack>.tfstate`.
       * @default cdktf-flux/
       */
      readonly keyPrefix?: string;
      /**
       * Lock with a lock file in the bucket (S3 conditional writes).
       * @default true
       */
      readonly useLockfile?: boolean;
      /**
       * Encrypt the state objects at rest with the bucket's server-side encryption.
       * @default true
       */
      readonly encrypt?: boolean;
    }
  | {
      /** Objects per stack in a Google Cloud Storage bucket, under `<prefix>/<stack>`. */
      readonly type: 'gcs';
      /** Name of the bucket, which must exist. */
      readonly bucket: string;
      /**
       * The folder each stack's state goes under: `<prefix>/<stack>`.
       * @default cdktf-flux
       */
      readonly prefix?: string;
    }
  | {
      /** A blob per stack in an Azure Storage container, `<keyPrefix><stack>.tfstate`. */
      readonly type: 'azurerm';
      /** Resource group of the storage account. */
      readonly resourceGroupName: string;
      /** Storage account holding the container. */
      readonly storageAccountName: string;
      /** Blob container the state goes to, which must exist. */
      readonly containerName: string;
      /**
       * What each stack's blob name starts with; the name is `<keyPrefix><stack>.tfstate`.
       * @default cdktf-flux/
       */
      readonly keyPrefix?: string;
    }
  | {
      /** HCP Terraform (or Terraform Enterprise) workspaces, one per stack. */
      readonly type: 'remote';
      /** The organization that owns the workspaces. */
      readonly organization: string;
      /**
       * Host of HCP Terraform or of a Terraform Enterprise installation.
       * @default app.terraform.io
       */
      readonly hostname?: string;
      /**
       * What each stack's workspace name starts with; the name is `<workspacePrefix><stack>`.
       * @default cdktf-flux-
       */
      readonly workspacePrefix?: string;
    }
  | {
      /** A Secret per stack in a cluster, `tfstate-default-<stack>`, locked with a Lease. */
      readonly type: 'kubernetes';
      /**
       * Namespace of the state Secret: a DNS-1123 label. It must exist before the first deploy, so
       * the Flux namespace this app creates is refused (a destroy would also delete the state).
       * @default kube-system
       */
      readonly namespace?: string;
      /**
       * Kubeconfig the backend reaches the cluster with.
       * @default - the environment's kubeconfig path
       */
      readonly configPath?: string;
      /**
       * Kubeconfig context the backend uses.
       * @default - the kubeconfig's current context
       */
      readonly configContext?: string;
    };

/** Which artifact of an OCI repository Flux follows. @default - the tag `latest` */
export interface OciRefSettings {
  /** A tag, such as `latest` or `v1.2.0`. */
  readonly tag?: string;
  /** A semver range the newest matching tag is taken from, such as `>=1.0.0`. */
  readonly semver?: string;
  /** An artifact digest, `sha256:...`; pins one artifact. */
  readonly digest?: string;
}

/**
 * Credentials the sync stack makes for a source, in a Secret `<source>-credentials` of the Flux
 * namespace, instead of a Secret of yours (`secretName`):
 * - `token`: the sensitive variable `source_<source>_token` (`-` and `.` of the name as `_`; set
 *   TF_VAR_source_<source>_token), with `username`: a git repository's HTTPS login, a Helm
 *   repository's basic auth, or an OCI registry's login (a docker-registry Secret). It reaches state
 *   and the cluster only, never the synthesized configuration.
 * - `deploy-key`: for a git source on the environment's `gitHost` over SSH, as the environment's own
 *   repository has by default: a key pair, its public half a deploy key of the repository the URL
 *   names (titled `Flux (<stack>, <source>)`; the deploy needs GITHUB_TOKEN), with `gitHost.knownHosts`.
 */
export type SourceCredentialsSettings =
  | {
      /** A token or password from the sensitive variable source_<source>_token. */
      readonly type: 'token';
      /**
       * The user name the token goes with; a registry or Helm repository needs its own.
       * @default git (for a git source; required for the others)
       */
      readonly username?: string;
    }
  | {
      /** A generated key pair, registered as a deploy key of the GitHub repository. */
      readonly type: 'deploy-key';
      /** The key pair's algorithm. @default ECDSA */
      readonly algorithm?: 'ECDSA' | 'ED25519';
      /** Register the key read-only. @default true */
      readonly readOnly?: boolean;
    };

/** What every source but the environment's own takes: its name, its credentials and how often Flux checks it. */
interface NamedSourceSettings {
  /** Name of the object; Kustomizations and HelmReleases name it as their `source`. */
  readonly name: string;
  /** A Secret you made, in the Flux namespace, with the credentials the source needs. @default - anonymous access */
  readonly secretName?: string;
  /** Credentials the sync stack makes instead of secretName. @default - anonymous access */
  readonly credentials?: SourceCredentialsSettings;
  /** How often Flux checks for a new revision; Go syntax. @default 1m */
  readonly interval?: string;
}

/** A git repository as a source (a GitRepository). */
export interface GitSourceSettings extends NamedSourceSettings {
  /** A GitRepository. */
  readonly type: 'git';
  /** `ssh://` or `https://` URL of the repository. */
  readonly url: string;
  /** The branch Flux follows. @default main */
  readonly branch?: string;
}

/** A Helm chart repository as a source (a HelmRepository): an index over HTTP(S), or an OCI registry. */
export interface HelmSourceSettings extends Omit<NamedSourceSettings, 'credentials'> {
  /** A HelmRepository; its type is oci when the URL is `oci://`. */
  readonly type: 'helm';
  /** `https://` URL of the repository's index, or `oci://<registry>/<path>`. */
  readonly url: string;
  /** The repository's basic auth (or registry login) from a token variable. @default - anonymous access */
  readonly credentials?: Extract<SourceCredentialsSettings, { type: 'token' }>;
}

/** A bucket of an object store as a source (a Bucket): S3-compatible, GCS or Azure Blob. */
export interface BucketSourceSettings extends Omit<NamedSourceSettings, 'credentials'> {
  /** A Bucket. */
  readonly type: 'bucket';
  /** Name of the bucket. */
  readonly bucketName: string;
  /** The object store's host (and port), without scheme, such as `s3.eu-west-1.amazonaws.com` or `minio.minio:9000`. */
  readonly endpoint: string;
  /** The object store's API, or the cloud identity to list it with instead of a Secret. @default generic */
  readonly provider?: 'generic' | 'aws' | 'gcp' | 'azure';
  /** The bucket's region, where the store needs one. @default - none */
  readonly region?: string;
  /** Only the objects under this prefix. @default - the whole bucket */
  readonly prefix?: string;
  /** Plain http to the endpoint; never with credentials. @default false */
  readonly insecure?: boolean;
  /**
   * An access key from a token variable: `username` is the access key id, the token its secret
   * (the Secret's `accesskey` and `secretkey`, for the generic provider).
   * @default - anonymous, or the provider's identity
   */
  readonly credentials?: Extract<SourceCredentialsSettings, { type: 'token' }>;
}

/**
 * A source of manifests or charts beside the environment's own, named by Kustomizations and
 * HelmReleases (`source`): a git repository, an OCI artifact (`flux push artifact`), or a Helm
 * repository, or a bucket of an object store. Credentials are a Secret of yours in the Flux
 * namespace (`secretName`: for git an SSH key or a username and password as the URL's scheme says,
 * for OCI a docker-registry Secret, for Helm a username and password, for a bucket `accesskey` and
 * `secretkey`), or ones the sync stack makes (`credentials`).
 */
export type SourceSettings = GitSourceSettings | OciSourceSettings | HelmSourceSettings | BucketSourceSettings;

/** An OCI artifact as a source. */
export interface OciSourceSettings extends Omit<NamedSourceSettings, 'credentials'> {
  /** An OCIRepository. */
  readonly type: 'oci';
  /** `oci://<registry>/<repository>`, as given to `flux push artifact`. */
  readonly url: string;
  /** Which artifact to follow: a tag, a semver range or a digest. @default - the tag `latest` */
  readonly ref?: OciRefSettings;
  /** The registry's login from a token variable (a docker-registry Secret). @default - anonymous access */
  readonly credentials?: Extract<SourceCredentialsSettings, { type: 'token' }>;
  /** The cloud identity to pull with instead of a Secret. @default generic */
  readonly provider?: 'generic' | 'aws' | 'azure' | 'gcp';
  /** Plain http to the registry; never with credentials. @default false */
  readonly insecure?: boolean;
}

/**
 * The environment's own source, which its Kustomizations apply unless they name another:
 * - `git` (default): the GitHub repository, with the git access the bootstrap stack makes;
 * - `oci`: an OCI artifact ("gitless" GitOps, as the Flux Operator bootstraps), named `flux-system`:
 *   the bootstrap stack then makes no git access, and no GitHub token or deploy key is involved.
 */
export type SyncSourceSettings =
  | {
      /** The GitHub repository of githubOrg and githubRepository, with the bootstrap stack's git access. */
      readonly type: 'git';
    }
  | Omit<OciSourceSettings, 'name'>;

/** What a deploy of the sync stack waits for before it counts as done. */
export interface SyncWaitSettings {
  /**
   * - `all`: the GitRepository and every Kustomization are Ready for the spec just applied.
   * - `source`: the GitRepository only (its Kustomizations may fail later, reported by
   *   `cdktf-flux deploy` and `cdktf-flux review`).
   * - `none`: nothing; the deploy ends once the API server has the objects.
   * @default all
   */
  readonly waitFor?: 'all' | 'source' | 'none';
  /**
   * How long each object may take to become Ready, from its create or update; Go syntax.
   * @default 5m
   */
  readonly timeout?: string;
}

/** The typed settings of one environment: one cluster, one path in the repository. */
export interface EnvironmentSettings {
  /** Short name; the stacks are `<name>-flux-bootstrap` and `<name>-flux-sync`. */
  readonly name: string;
  /**
   * The Flux release to install.
   * @default v2.9.4
   */
  readonly fluxVersion?: string;
  /**
   * A gotk-components.yaml, or a directory of `<version>/gotk-components.yaml`.
   * @default - FLUX_MANIFESTS_DIR, then the download cache, then Flux's release (checksum-verified,
   * pinned in the lock on first use)
   */
  readonly manifestsPath?: string;
  /**
   * Default of the github_org variable: the GitHub organization or user owning the repository.
   * @default - none: the variable must be set at plan (TF_VAR_github_org or -var github_org=...)
   */
  readonly githubOrg?: string;
  /**
   * Default of the github_repository variable: the repository Flux syncs from, without owner.
   * @default - none: the variable must be set at plan (TF_VAR_github_repository or -var github_repository=...)
   */
  readonly githubRepository?: string;
  /**
   * Default of the git_branch variable: the branch Flux follows.
   * @default main
   */
  readonly branch?: string;
  /**
   * The folder `flux bootstrap` would have used for this cluster. Terraform owns what
   * bootstrap kept in `<clusterPath>/flux-system`, so no Kustomization may apply it.
   * @default clusters/<name>
   */
  readonly clusterPath?: string;
  /**
   * Path of the environment's apps in the repository, for the default layout's `apps`.
   * @default ./apps/<name>
   */
  readonly appsPath?: string;
  /**
   * The Kustomizations Flux applies from the repository, in order of declaration.
   * @default defaultKustomizations(appsPath): infra-controllers, infra-prereqs (after the
   * controllers), apps and secrets
   */
  readonly kustomizations?: readonly KustomizationSettings[];
  /**
   * Helm charts Flux installs, each from one of the environment's `sources`.
   * @default - none
   */
  readonly helmReleases?: readonly HelmReleaseSettings[];
  /**
   * Default of the kubeconfig_path variable.
   * @default ~/.kube/config
   */
  readonly kubeconfigPath?: string;
  /**
   * Default of the kube_context variable; empty means the kubeconfig's current context.
   * @default - the current context
   */
  readonly kubeContext?: string;
  /**
   * How many configurations of the kubernetes provider the bootstrap stack spreads Flux's objects
   * over. Each is its own client, which client-go holds to 5 requests a second; more clients plan
   * and apply more objects at once, each costing a provider process and an API discovery.
   * @default 4
   */
  readonly kubernetesClients?: number;
  /**
   * `flux install` options, and the customisation `flux bootstrap` takes as patches.
   * @default - the Flux CLI's defaults
   */
  readonly install?: FluxInstallOptions;
  /**
   * Where the environment's Kustomizations come from.
   * @default - `{ type: 'git' }`: the GitHub repository of githubOrg and githubRepository
   */
  readonly syncSource?: SyncSourceSettings;
  /**
   * More sources, which Kustomizations name by `source`.
   * @default - none
   */
  readonly sources?: readonly SourceSettings[];
  /**
   * How Flux authenticates to the repository.
   * @default - an ECDSA P-256 deploy key, read-only
   */
  readonly gitAuth?: GitAuthSettings;
  /**
   * Where the repository is hosted. An SSH host without `knownHosts` is refused.
   * @default GITHUB_COM: github.com with GitHub's published host keys
   */
  readonly gitHost?: GitHostSettings;
  /**
   * Take over a cluster that `flux bootstrap` or `flux_bootstrap_git` set up: every object the
   * stacks manage (install, Secret, GitRepository, Kustomizations) is imported on the first
   * deploy and updated in place, nothing is recreated. Each object must exist on the cluster.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * Where both stacks keep their state, each under its own key.
   * @default - a local file per stack, terraform.<stack>.tfstate
   */
  readonly backend?: StateBackendSettings;
  /**
   * Encrypt state and plans with OpenTofu's state encryption, keyed by TF_VAR_state_passphrase.
   * Needs OpenTofu 1.7 or later; Terraform refuses the configuration.
   * @default false
   */
  readonly encryptState?: boolean;
  /**
   * What the deploy of the sync stack waits for: a deploy that ends while Flux cannot sync (a
   * branch that does not exist, a wrong known_hosts, a path the repository lacks) fails, naming
   * each object that is not Ready with Flux's own reason.
   * @default - every Flux object Ready within 5m
   */
  readonly syncWait?: SyncWaitSettings;
}

// The run-time check of the settings: one check per field, tied to the types above, and the
// fields that are construct props checked as the constructs check them.

// A Kustomization's props but the references, which the sync stack gives.
// reconcileOn holds values only OpenTofu knows (the credentials' version): never data.
const { manifests, sourceRef, kubernetesProvider, adopt, reconcileOn, ...kustomizationData } = KUSTOMIZATION_PROPS;
const KUSTOMIZATION = fieldsOf<KustomizationSettings>()({
  ...kustomizationData,
  name: required(string(KUSTOMIZATION_NAME)),
  dependsOn: stringList(string()),
  source: string(),
});

// A HelmRelease's props but the references, which the sync stack gives.
const {
  manifests: _m,
  kubernetesProvider: _k,
  adopt: _a,
  reconcileOn: _r,
  chart: _c,
  chartRef: _cr,
  ...helmReleaseData
} = HELM_RELEASE_PROPS;
const HELM_RELEASE = fieldsOf<HelmReleaseSettings>()({
  ...helmReleaseData,
  name: required(string()),
  source: required(string()),
  chart: string({ test: (s) => s !== '', text: "is empty; give the chart's name, or its path in a git source" }),
  version: string(),
  dependsOn: stringList(string()),
});

const TOKEN = { username: string({ test: (s) => s !== '', text: 'is empty; give the user the token is for' }) };
const CREDENTIALS = {
  token: TOKEN,
  'deploy-key': { algorithm: GITHUB_DEPLOY_KEY_PROPS.algorithm, readOnly: GITHUB_DEPLOY_KEY_PROPS.readOnly },
} satisfies {
  [T in SourceCredentialsSettings['type']]: Record<
    Exclude<keyof Extract<SourceCredentialsSettings, { type: T }>, 'type'>,
    Check
  >;
};
const NAMED_SOURCE = {
  name: required(string(NAME)),
  secretName: string(NAME),
  credentials: union(CREDENTIALS),
  interval: string(POSITIVE_DURATION),
};
const OCI_REF = object(fieldsOf<OciRefSettings>()({ tag: string(), semver: string(), digest: string() }));
const OCI_SOURCE = {
  url: required(
    string({ test: (s) => /^oci:\/\/\S+$/.test(s), text: 'is not an OCI URL; give oci://<registry>/<repository>' }),
  ),
  ref: OCI_REF,
  secretName: string(NAME),
  credentials: union({ token: TOKEN }),
  provider: oneOf(['generic', 'aws', 'azure', 'gcp']),
  insecure: boolean,
  interval: string(POSITIVE_DURATION),
};
const SOURCES = {
  git: {
    ...NAMED_SOURCE,
    url: required(string({ test: (s) => /^(ssh|https):\/\/\S+$/.test(s), text: 'is not an ssh:// or https:// URL' })),
    branch: string(BRANCH),
  },
  oci: { ...OCI_SOURCE, name: NAMED_SOURCE.name },
  helm: {
    ...NAMED_SOURCE,
    url: required(
      string({
        test: (s) => /^(https?|oci):\/\/\S+$/.test(s),
        text: "is not a Helm repository's URL; give the https:// URL of its index, or oci://<registry>/<path>",
      }),
    ),
    credentials: union({ token: TOKEN }),
  },
  bucket: {
    ...NAMED_SOURCE,
    bucketName: required(string({ test: (s) => s !== '', text: 'is empty; give the name of the bucket' })),
    endpoint: required(
      string({
        test: (s) => s !== '' && !s.includes('://'),
        text: 'is not an endpoint; give the host and port alone, such as minio.minio:9000, and insecure for http',
      }),
    ),
    provider: oneOf(['generic', 'aws', 'gcp', 'azure']),
    region: string(),
    prefix: string(),
    insecure: boolean,
    credentials: union({ token: TOKEN }),
  },
} satisfies {
  [T in SourceSettings['type']]: Record<Exclude<keyof Extract<SourceSettings, { type: T }>, 'type'>, Check>;
};

const GIT_AUTH = {
  'deploy-key': { algorithm: GITHUB_DEPLOY_KEY_PROPS.algorithm, readOnly: GITHUB_DEPLOY_KEY_PROPS.readOnly },
  'https-token': {},
  'existing-secret': {
    secretName: EXISTING_GIT_SECRET_PROPS.secretName,
    transport: EXISTING_GIT_SECRET_PROPS.transport,
  },
  'github-app': { appId: GITHUB_APP_ID, installationId: GITHUB_APP_ID, secretName: string(NAME) },
} satisfies {
  [T in GitAuthSettings['type']]: Record<Exclude<keyof Extract<GitAuthSettings, { type: T }>, 'type'>, Check>;
};

const ENVIRONMENT = fieldsOf<EnvironmentSettings>()({
  name: required(
    string({
      test: (s) => s.length <= 40 && NAMESPACE.test(s),
      text:
        'must be at most 40 lower-case letters, digits and "-", starting and ending with a letter or digit: ' +
        'it names stacks, state keys and state Secrets',
    }),
  ),
  fluxVersion: string({
    test: (s) => /^v\d+\.\d+\.\d+$/.test(s),
    text: 'is not a Flux release; use one such as v2.9.4',
  }),
  manifestsPath: string({
    test: existsSync,
    text: 'does not exist; give a gotk-components.yaml or a directory of <version>/gotk-components.yaml',
  }),
  githubOrg: string({
    test: (s) => /^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$/.test(s),
    text:
      'is not a GitHub organization or user name; give the name alone, such as my-org: at most 39 letters, ' +
      'digits and single "-" between them',
  }),
  githubRepository: string({
    test: (s) => /^[A-Za-z0-9._-]{1,100}$/.test(s) && s !== '.' && s !== '..' && !s.endsWith('.git'),
    text:
      'is not a GitHub repository name; give the name alone, without owner, URL or .git, such as fleet-infra: at ' +
      'most 100 letters, digits, ".", "-" and "_"',
  }),
  branch: string(BRANCH),
  clusterPath: string(SOURCE_PATH),
  appsPath: string(SOURCE_PATH),
  kustomizations: list(object(KUSTOMIZATION)),
  kubeconfigPath: string({ test: (s) => s !== '', text: 'must name the kubeconfig file, such as ~/.kube/config' }),
  kubeContext: string(),
  kubernetesClients: (value, path, out) => {
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 10))
      problem(out, path, value, 'must be a whole number from 1 to 10 (OpenTofu works on at most 10 objects at once)');
  },
  install: object(fieldsOf<FluxInstallOptions>()(INSTALL), installCombinations),
  syncSource: union({ git: {}, oci: OCI_SOURCE }),
  sources: list(union(SOURCES, sourceCredentials)),
  helmReleases: list(object(HELM_RELEASE)),
  gitAuth: union(GIT_AUTH, githubAppSource),
  gitHost: object(fieldsOf<GitHostSettings>()(GIT_HOST)),
  adopt: boolean,
  backend: union(BACKENDS),
  encryptState: boolean,
  syncWait: object(
    fieldsOf<SyncWaitSettings>()({ waitFor: oneOf(['all', 'source', 'none']), timeout: string(POSITIVE_DURATION) }),
  ),
});

/** An environment's settings with every default resolved, as {@link resolveEnvironment} returns them. */
export type ResolvedEnvironment = Required<
  Omit<EnvironmentSettings, 'manifestsPath' | 'fluxVersion' | 'githubOrg' | 'githubRepository'>
> &
  Pick<EnvironmentSettings, 'manifestsPath' | 'fluxVersion' | 'githubOrg' | 'githubRepository'>;

/**
 * Checks an environment's settings as data (unknown keys and types, values Kubernetes, Flux or
 * GitHub would refuse) and resolves every default; `addFluxEnvironment` calls it. Throws every
 * problem of the environment at once, each naming the setting, the value and what would be right.
 * @param settings - the environment, as TypeScript, JSON or YAML gave it
 */
export function resolveEnvironment(settings: EnvironmentSettings): ResolvedEnvironment {
  const { environment, problems } = checkEnvironment(settings);
  if (problems.problems.length > 0) throw problemsError(problems.subject, problems.problems);
  return environment;
}

/** The lists of an environment's layout, whose items the stacks can leave out. */
type LayoutList = 'sources' | 'kustomizations' | 'helmReleases';

/** Names of the items of each list of the layout that were left out, by list. */
export interface RefusedItems {
  /** Of `sources`. */
  readonly sources: ReadonlySet<string>;
  /** Of `kustomizations`. */
  readonly kustomizations: ReadonlySet<string>;
  /** Of `helmReleases`. */
  readonly helmReleases: ReadonlySet<string>;
}

/** An environment checked, as {@link checkEnvironment} returns it. */
export interface CheckedEnvironment {
  /** The environment, its defaults resolved, less the items of its layout that do not check. */
  readonly environment: ResolvedEnvironment;
  /** The problems of those items. */
  readonly problems: SettingsProblems;
}

/** Problems of an environment's settings that the sync stack reports with its own, in one error. */
export interface SettingsProblems {
  /** Whose they are: `environment "<name>"`. */
  readonly subject: string;
  /** The problems, each naming the setting and the value. */
  readonly problems: readonly string[];
  /** The items left out of the environment for them, whose names what names them is not reported for. */
  readonly refused: RefusedItems;
}

/**
 * The environment with its defaults resolved, less the items of `sources`, `kustomizations` and
 * `helmReleases` whose settings do not check: their problems (each naming the environment) and
 * names, so that the sync stack reports them with its own and says nothing of what names them.
 * Any other problem is thrown at once, with every item's.
 */
export function checkEnvironment(settings: EnvironmentSettings): CheckedEnvironment {
  const problems = settingsProblems(settings, ENVIRONMENT);
  const item = /^(sources|kustomizations|helmReleases)\[(\d+)\]/;
  const subject = environmentSubject(settings);
  if (problems.some((p) => !item.test(p))) throw problemsError(subject, problems);
  const refusedAt = new Set(problems.map((p) => item.exec(p)!.slice(1, 3).join('.')));
  const kept = <T>(list: LayoutList, items: readonly T[] | undefined) =>
    items?.filter((_, i) => !refusedAt.has(`${list}.${i}`));
  const names = (list: LayoutList) =>
    new Set(
      ((settings[list] ?? []) as readonly { name?: unknown }[])
        .filter((_, i) => refusedAt.has(`${list}.${i}`))
        .flatMap((i) => (typeof i.name === 'string' ? [i.name] : [])),
    );
  const environment = resolveChecked({
    ...settings,
    sources: kept('sources', settings.sources),
    kustomizations: kept('kustomizations', settings.kustomizations),
    helmReleases: kept('helmReleases', settings.helmReleases),
  });
  const refused = {
    sources: names('sources'),
    kustomizations: names('kustomizations'),
    helmReleases: names('helmReleases'),
  };
  return { environment, problems: { subject, problems, refused } };
}

function resolveChecked(settings: EnvironmentSettings): ResolvedEnvironment {
  if (settings.syncSource?.type === 'oci' && settings.gitAuth !== undefined) {
    throw new Error(
      `environment "${settings.name}": gitAuth ${JSON.stringify(settings.gitAuth.type)} has no repository to ` +
        `authenticate to, since syncSource is an OCI artifact; drop gitAuth, or give a git source in sources ` +
        `with its secretName`,
    );
  }
  return {
    ...settings,
    branch: settings.branch ?? 'main',
    clusterPath: settings.clusterPath ?? `clusters/${settings.name}`,
    appsPath: settings.appsPath ?? `./apps/${settings.name}`,
    kubeconfigPath: settings.kubeconfigPath ?? '~/.kube/config',
    kubeContext: settings.kubeContext ?? '',
    kubernetesClients: settings.kubernetesClients ?? 4,
    install: { ...settings.install },
    kustomizations: settings.kustomizations ?? defaultKustomizations(settings.appsPath ?? `./apps/${settings.name}`),
    syncSource: settings.syncSource ?? { type: 'git' },
    sources: settings.sources ?? [],
    helmReleases: settings.helmReleases ?? [],
    gitAuth: settings.gitAuth ?? { type: 'deploy-key' },
    gitHost: resolveGitHost(settings),
    adopt: settings.adopt ?? false,
    backend: settings.backend ?? { type: 'local' },
    encryptState: settings.encryptState ?? false,
    syncWait: { waitFor: settings.syncWait?.waitFor ?? 'all', timeout: settings.syncWait?.timeout ?? '5m' },
  };
}

function resolveGitHost(settings: EnvironmentSettings): GitHostSettings {
  const host = settings.gitHost ?? GITHUB_COM;
  const ssh =
    (settings.gitAuth?.type ?? 'deploy-key') === 'deploy-key' ||
    (settings.gitAuth?.type === 'existing-secret' && (settings.gitAuth.transport ?? 'ssh') === 'ssh');
  if (ssh && settings.gitAuth?.type !== 'existing-secret' && !host.knownHosts?.trim()) {
    throw new Error(
      `environment "${settings.name}": gitHost.knownHosts is empty for ${host.hostname}; Flux refuses an SSH ` +
        `host it cannot verify. Give its host keys as known_hosts lines ` +
        `(ssh-keyscan${host.sshPort ? ` -p ${host.sshPort}` : ''} ${host.hostname}, fingerprints checked out of band)`,
    );
  }
  return host;
}
