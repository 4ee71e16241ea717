import { existsSync } from 'node:fs';

// Environment settings may come from JSON or YAML as well as from typed TypeScript, so their
// shape is checked at run time: unknown keys and unknown `type`s are refused by name, and values
// that Kubernetes, Flux, GitHub or a state backend would refuse are refused here, each once, with
// the setting, the value and what would be right. Value rules that the install options or a CRD
// schema already state are left to those (checkInstallOptions, the constructs).

type Check = (value: unknown, path: string, problems: string[]) => void;

const show = (value: unknown) => (value === undefined ? 'undefined' : JSON.stringify(value));
const problem = (problems: string[], path: string, value: unknown, text: string) =>
  problems.push(`${path} ${show(value)}: ${text}`);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function string(rule?: {
  pattern?: RegExp;
  max?: number;
  text?: string;
  optional?: boolean;
  test?: (s: string) => boolean;
}): Check {
  return (value, path, problems) => {
    if (value === undefined && rule?.optional !== false) return;
    if (typeof value !== 'string')
      return void problem(problems, path, value, `must be a string${rule?.text ? `: ${rule.text}` : ''}`);
    const bad =
      (rule?.pattern && !rule.pattern.test(value)) ||
      (rule?.max !== undefined && value.length > rule.max) ||
      (rule?.test && !rule.test(value));
    if (bad) problem(problems, path, value, rule?.text ?? 'is not valid');
  };
}

const required =
  (check: Check): Check =>
  (value, path, problems) =>
    value === undefined ? void problem(problems, path, value, 'is required') : check(value, path, problems);

const boolean: Check = (value, path, problems) => {
  if (value !== undefined && typeof value !== 'boolean')
    problem(problems, path, value, 'must be true or false (a boolean, not a string)');
};

function oneOf(values: readonly string[]): Check {
  return (value, path, problems) => {
    if (value !== undefined && !values.includes(value as string))
      problem(problems, path, value, `is not one of ${values.join(', ')}`);
  };
}

function stringList(item: Check): Check {
  return (value, path, problems) => {
    if (value === undefined) return;
    if (!Array.isArray(value))
      return void problem(problems, path, value, 'must be a list of strings, such as ["a", "b"]');
    value.forEach((v) => item(v, path, problems));
  };
}

function object(
  fields: Record<string, Check>,
  extra?: (value: Record<string, unknown>, path: string, problems: string[]) => void,
): Check {
  return (value, path, problems) => {
    if (value === undefined) return;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return void problem(problems, path, value, 'must be an object');
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(key in fields))
        problems.push(
          `${path ? `${path}.` : ''}${key} "${key}": is not a setting${path ? ` of ${path}` : ''}; the settings ` +
            `are ${Object.keys(fields).join(', ')}`,
        );
    }
    for (const [key, check] of Object.entries(fields)) check(record[key], path ? `${path}.${key}` : key, problems);
    extra?.(record, path, problems);
  };
}

/** An object whose `type` picks its other fields. */
function union(variants: Record<string, Record<string, Check>>): Check {
  return (value, path, problems) => {
    if (value === undefined) return;
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(type in variants))
      return void problem(problems, `${path}.type`, type, `is not one of ${Object.keys(variants).join(', ')}`);
    object({ type: string(), ...variants[type] })(value, path, problems);
  };
}

const relativePath = (example: string) =>
  string({
    test: (s) => s !== '' && !s.startsWith('/') && !s.split('/').includes('..'),
    text: `must be a path inside the repository, relative and without "..", such as ${example}`,
  });

const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const INSTALL: Record<string, Check> = {
  components: stringList(string()),
  componentsExtra: stringList(string()),
  registry: string(),
  imagePullSecret: string({
    pattern: DNS_SUBDOMAIN,
    max: 253,
    text: 'is not a Secret name; use lower-case letters, digits, "-" and "."',
  }),
  networkPolicy: boolean,
  watchAllNamespaces: boolean,
  clusterDomain: string(),
  logLevel: string(),
  tolerationKeys: stringList(
    string({
      pattern:
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
      text: 'is not a taint key; use [prefix/]name with letters, digits, "-", "_" and "."',
    }),
  ),
  namespace: string({
    test: (s) => !RESERVED_NAMESPACES.includes(s),
    text:
      `already exists on every cluster, and destroying the stacks would delete it; use a namespace of ` +
      `Flux's own, such as flux-system`,
  }),
};

function installCombinations(install: Record<string, unknown>, path: string, problems: string[]): void {
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

const HOST_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$|^\d{1,3}(\.\d{1,3}){3}$/;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

function apiUrl(value: unknown, path: string, problems: string[]): void {
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return void problem(
      problems,
      path,
      value,
      'is not a URL; give the API base URL, such as https://github.example.com/',
    );
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname))
    problem(problems, path, value, 'would send the token over plain http; use https://');
  else if (url.protocol !== 'https:' && url.protocol !== 'http:')
    problem(problems, path, value, 'is not an http(s) URL; use https://');
}

const GIT_HOST: Record<string, Check> = {
  hostname: required(
    string({
      pattern: HOST_NAME,
      text: 'is not a host name; give only the host, such as github.example.com, without scheme or path',
    }),
  ),
  sshPort: (value, path, problems) => {
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535))
      problem(problems, path, value, 'must be a port number from 1 to 65535');
  },
  knownHosts: string(),
  apiUrl,
};

const BACKENDS: Record<string, Record<string, Check>> = {
  local: { directory: string({ test: (s) => s !== '', text: 'must name a directory' }) },
  s3: {
    bucket: required(
      string({
        pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        text: 'is not an S3 bucket name; use 3 to 63 lower-case letters, digits, "." and "-"',
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
    namespace: string({ pattern: DNS_LABEL, max: 63, text: 'is not a namespace name' }),
    configPath: string(),
    configContext: string(),
  },
};

const GIT_AUTH: Record<string, Record<string, Check>> = {
  'deploy-key': { algorithm: oneOf(['ECDSA', 'ED25519']), readOnly: boolean },
  'https-token': {},
  'existing-secret': {
    secretName: required(
      string({
        pattern: DNS_SUBDOMAIN,
        max: 253,
        text: 'is not a Secret name (a Secret of the Flux namespace: no namespace, no "/")',
      }),
    ),
    transport: oneOf(['ssh', 'https']),
  },
};

function list(item: Check): Check {
  return (value, path, problems) => {
    if (value === undefined) return;
    if (!Array.isArray(value)) return void problem(problems, path, value, 'must be a list');
    value.forEach((v, i) => item(v, `${path}[${i}]`, problems));
  };
}

const anything: Check = () => undefined;

// Field values (durations, paths, enums) are checked by the Kustomization construct against the
// CRD's schema; here only the shape, so that a misspelt field is not silently dropped.
const KUSTOMIZATION: Record<string, Check> = {
  name: required(
    string({
      pattern: DNS_SUBDOMAIN,
      max: 253,
      text: 'is not a Kustomization name; use lower-case letters, digits, "-" and "."',
    }),
  ),
  prune: (value, path, problems) =>
    typeof value === 'boolean'
      ? undefined
      : void problem(
          problems,
          path,
          value,
          'is required, true or false: whether Flux deletes what is removed from the repository',
        ),
  dependsOn: stringList(string()),
  path: string(),
  namespace: string(),
  interval: string(),
  retryInterval: string(),
  timeout: string(),
  wait: boolean,
  force: boolean,
  targetNamespace: string(),
  decryption: anything,
  postBuild: anything,
  healthChecks: anything,
  patches: anything,
  suspend: boolean,
  deletionPolicy: string(),
  serviceAccountName: string(),
};

const ENVIRONMENT: Record<string, Check> = {
  name: required(
    string({
      pattern: DNS_LABEL,
      max: 40,
      text:
        'must be at most 40 lower-case letters, digits and "-", starting and ending with a letter or digit: ' +
        'it names stacks, state keys and state Secrets',
    }),
  ),
  fluxVersion: string({ pattern: /^v\d+\.\d+\.\d+$/, text: 'is not a Flux release; use one such as v2.9.4' }),
  manifestsPath: string({
    test: existsSync,
    text: 'does not exist; give a gotk-components.yaml or a directory of <version>/gotk-components.yaml',
  }),
  githubOrg: string({
    pattern: /^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$/,
    text: 'is not a GitHub organization or user name; give the name alone, such as mark-icy',
  }),
  githubRepository: string({
    pattern: /^[A-Za-z0-9._-]{1,100}$/,
    test: (s) => s !== '.' && s !== '..' && !s.endsWith('.git'),
    text: 'is not a GitHub repository name; give the name alone, without owner, URL or .git, such as infra-new',
  }),
  branch: string({
    test: (s) => s !== '' && !/[\s~^:?*[\\]|\.\.|@\{|\/\/|^[-/]|[/.]$|\.lock$/.test(s) && !s.startsWith('refs/'),
    text: 'is not a branch name Flux can follow; give the name alone, such as main',
  }),
  clusterPath: relativePath('clusters/dev'),
  appsPath: relativePath('./apps/dev'),
  kustomizations: list(object(KUSTOMIZATION)),
  kubeconfigPath: string({ test: (s) => s !== '', text: 'must name the kubeconfig file, such as ~/.kube/config' }),
  kubeContext: string(),
  kubernetesClients: (value, path, problems) => {
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 10))
      problem(
        problems,
        path,
        value,
        'must be a whole number from 1 to 10 (OpenTofu works on at most 10 objects at once)',
      );
  },
  install: object(INSTALL, installCombinations),
  gitAuth: union(GIT_AUTH),
  gitHost: object(GIT_HOST),
  adopt: boolean,
  backend: union(BACKENDS),
  encryptState: boolean,
  syncWait: object({
    waitFor: oneOf(['all', 'source', 'none']),
    timeout: string({
      pattern: /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/,
      test: (s) => /[1-9]/.test(s),
      text: 'is not a positive duration; use Go syntax such as 5m or 1m30s',
    }),
  }),
};

/** Every problem of one environment's settings, as data; empty when they are well-formed. */
export function settingsProblems(settings: unknown): string[] {
  const problems: string[] = [];
  object(ENVIRONMENT)(settings, '', problems);
  return problems;
}

/** Throws every problem of the settings at once, naming the environment. */
export function checkSettings(settings: unknown): void {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    throw new Error(
      `environment ${show(settings)}: the settings of an environment must be an object, such as { "name": "dev" }`,
    );
  }
  const problems = settingsProblems(settings);
  if (problems.length === 0) return;
  const name = (settings as { name?: unknown }).name;
  const subject = `environment ${typeof name === 'string' ? `"${name}"` : '(no name)'}`;
  throw new Error(
    problems.length === 1
      ? `${subject}: ${problems[0]}`
      : `${subject}: ${problems.length} problems:\n  ${problems.join('\n  ')}`,
  );
}
