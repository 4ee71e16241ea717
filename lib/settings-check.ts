import { CUSTOMISATION } from './customisation-shape';
import { DNS1123_SUBDOMAIN, listProblems, NAME, NAMESPACE, QUALIFIED_KEY } from './rules';
import { boolean, Check, problem, required, shapeProblems, show, string, stringList } from './shape';

// Environment settings may come from JSON or YAML as well as from typed TypeScript, so their
// shape is checked at run time: unknown keys and unknown `type`s are refused by name, and values
// that Kubernetes, Flux, GitHub or a state backend would refuse are refused, each once, with the
// setting, the value and what would be right. Here: the tables of the settings that are no
// construct's props (install options, git host, state backends); settings.ts ties them and the
// constructs' own tables to the settings' types. Value rules that the install options or a CRD
// schema already state are left to those (checkInstallOptions, the constructs).

const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The `flux install` options; the FluxInstall construct checks its props with them too. */
export const INSTALL = {
  components: stringList(string()),
  componentsExtra: stringList(string()),
  registry: string(),
  imagePullSecret: string(NAME),
  networkPolicy: boolean,
  watchAllNamespaces: boolean,
  clusterDomain: string(),
  logLevel: string(),
  tolerationKeys: stringList(string({ ...QUALIFIED_KEY, text: QUALIFIED_KEY.text.replace('valid key', 'taint key') })),
  namespace: string({
    test: (s) => !RESERVED_NAMESPACES.includes(s),
    text:
      `already exists on every cluster, and destroying the stacks would delete it; use a namespace of ` +
      `Flux's own, such as flux-system`,
  }),
  ...CUSTOMISATION,
} satisfies Record<string, Check>;

export function installCombinations(install: Record<string, unknown>, path: string, problems: string[]): void {
  const components = install.components;
  if (!Array.isArray(components)) return;
  for (const needed of ['source-controller', 'kustomize-controller']) {
    if (!components.includes(needed)) {
      problems.push(
        `${path}.components ${show(components)}: lacks ${needed}, which reconciles the sync stack's ` +
          `${needed === 'source-controller' ? 'GitRepository' : 'Kustomizations'}; add it`,
      );
    }
  }
}

/** A GitHub App's key comes with its ids from a variable, or from an existing Secret: one of the two. */
export function githubAppSource(auth: Record<string, unknown>, path: string, problems: string[]): void {
  if (auth.type !== 'github-app') return;
  const ids = ['appId', 'installationId'].filter((f) => auth[f] !== undefined);
  if (auth.secretName !== undefined && ids.length > 0) {
    problems.push(
      `${path}.secretName ${show(auth.secretName)}: names a Secret holding the App's ids and key, so ` +
        `${ids.join(' and ')} would not be used; give the Secret or the ids, not both`,
    );
  } else if (auth.secretName === undefined && ids.length < 2) {
    problems.push(
      `${path}: a github-app needs appId and installationId (its private key then comes from ` +
        `TF_VAR_github_app_private_key), or secretName, a Secret holding githubAppID, githubAppInstallationID ` +
        `and githubAppPrivateKey`,
    );
  }
}

const HOST_NAME = new RegExp(`${DNS1123_SUBDOMAIN.source}|^\\d{1,3}(\\.\\d{1,3}){3}$`);
/** Hosts a plain http URL may name: nothing leaves the machine. */
export const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

const apiUrl: Check = (value, path, out) => {
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return problem(out, path, value, 'is not a URL; give the API base URL, such as https://github.example.com/');
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname))
    problem(out, path, value, 'would send the token over plain http; use https://');
  else if (url.protocol !== 'https:' && url.protocol !== 'http:')
    problem(out, path, value, 'is not an http(s) URL; use https://');
};

const port: Check = (value, path, out) => {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535))
    problem(out, path, value, 'must be a port number from 1 to 65535');
};

export const GIT_HOST = {
  hostname: required(
    string({
      test: (s) => HOST_NAME.test(s),
      text:
        'is not a host name; give only the host, such as github.example.com, without scheme or path: lower-case ' +
        'letters, digits, "-" and ".", each label starting and ending with a letter or digit, or an IPv4 address',
    }),
  ),
  sshPort: port,
  httpsPort: port,
  caCert: string({
    test: (s) => /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\s*$/.test(s.trim() + '\n'),
    text:
      'is not a PEM certificate; give the CA certificate from -----BEGIN CERTIFICATE----- to ' +
      '-----END CERTIFICATE-----',
  }),
  knownHosts: string(),
  apiUrl,
} satisfies Record<string, Check>;

export const BACKENDS: Record<string, Record<string, Check>> = {
  local: { directory: string({ test: (s) => s !== '', text: 'must name a directory' }) },
  s3: {
    bucket: required(
      string({
        test: (s) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s),
        text:
          'is not an S3 bucket name; use 3 to 63 lower-case letters, digits, "." and "-", starting and ending ' +
          'with a letter or digit',
      }),
    ),
    region: required(string()),
    keyPrefix: string(),
    useLockfile: boolean,
    encrypt: boolean,
  },
  gcs: { bucket: required(string()), prefix: string() },
  azurerm: {
    resourceGroupName: required(string()),
    storageAccountName: required(string()),
    containerName: required(string()),
    keyPrefix: string(),
  },
  remote: { organization: required(string()), hostname: string(), workspacePrefix: string() },
  kubernetes: {
    namespace: string(NAMESPACE),
    configPath: string(),
    configContext: string(),
  },
};

/** The subject of an environment's problems: `environment "<name>"`. */
export function environmentSubject(settings: unknown): string {
  const name = (settings as { name?: unknown } | null)?.name;
  return `environment ${typeof name === 'string' ? `"${name}"` : '(no name)'}`;
}

/** One error listing the problems, each after the subject. */
export function problemsError(subject: string, problems: readonly string[]): Error {
  return new Error(`${subject}: ${listProblems(problems)}`);
}

/** Every problem of an environment's settings, each naming the setting and the value; throws if they are no object. */
export function settingsProblems(settings: unknown, fields: Record<string, Check>): string[] {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    throw new Error(
      `environment ${show(settings)}: the settings of an environment must be an object, such as { "name": "dev" }`,
    );
  }
  return shapeProblems(settings, fields, 'setting');
}

/** A GitHub repository over SSH, as a deploy key needs it: `ssh://git@<host>[:port]/<owner>/<repository>`. */
export const SSH_GITHUB_URL = /^ssh:\/\/git@([^/:]+)(?::(\d+))?\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/;

/** Who the token of a source's login goes with, by the source's type. */
const TOKEN_USER: Record<string, string> = {
  oci: 'a registry login needs the user',
  helm: 'a Helm repository login needs the user',
  bucket: 'an access key needs its id, whose secret',
};

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
};

/** The credentials of a source: a Secret of yours or credentials the stack makes, fit for its URL. */
export function sourceCredentials(source: Record<string, unknown>, path: string, problems: string[]): void {
  const credentials = source.credentials as { type?: unknown; username?: unknown } | undefined;
  if (credentials === undefined) return;
  const url = typeof source.url === 'string' ? source.url : '';
  if (source.secretName !== undefined) {
    problems.push(
      `${path}.secretName ${show(source.secretName)}: names a Secret of yours, and credentials ` +
        `${show(credentials.type)} would make another; give one of the two`,
    );
  } else if (credentials.type === 'deploy-key' && !SSH_GITHUB_URL.test(url)) {
    problems.push(
      `${path}.url ${show(url)}: a deploy key is for SSH to a GitHub repository; give ` +
        `ssh://git@<host>/<owner>/<repository>, or credentials type "token" for https://`,
    );
  } else if (credentials.type === 'token' && source.type === 'git' && !url.startsWith('https://')) {
    problems.push(
      `${path}.url ${show(url)}: a token is sent over HTTPS; give the https:// URL of the repository, or ` +
        `credentials type "deploy-key" for ssh://`,
    );
  } else if (credentials.type === 'token' && url.startsWith('http://') && !LOOPBACK.test(hostOf(url))) {
    problems.push(
      `${path}.url ${show(url)}: would send the token in the clear over plain http; use the https:// URL of ` +
        `the repository`,
    );
  } else if (credentials.type === 'token' && source.type !== 'git' && credentials.username === undefined) {
    problems.push(
      `${path}.credentials.username: ${TOKEN_USER[source.type as string] ?? 'a login needs the user'} the token ` +
        `is for; give username`,
    );
  }
}
