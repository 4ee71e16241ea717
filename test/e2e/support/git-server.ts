import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { TOOLCHAIN_BIN } from './kubectl';

// The git side of the GitOps loop: a bare repository with a team's layout, served over SSH on
// loopback by test/e2e/gitserver to the deploy keys the GitHub double holds, and a working copy
// the tests commit to, as developers push to GitHub.

export interface GitServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly port: number;
  /** The known_hosts line of the server's host key. */
  readonly knownHosts: string;
  stop(): Promise<void>;
}

export async function startGitServer(dir: string, github: { url: string; token: string }): Promise<GitServer> {
  mkdirSync(dir, { recursive: true });
  const log = openSync(join(dir, 'git-ssh-server.log'), 'a');
  const child: ChildProcess = spawn(
    join(TOOLCHAIN_BIN, 'git-ssh-server'),
    ['-repos', join(dir, 'repos'), '-host-key', join(dir, 'host-key')],
    {
      stdio: ['ignore', 'pipe', log],
      env: { ...process.env, GITHUB_BASE_URL: github.url, GITHUB_TOKEN: github.token },
    },
  );
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`git-ssh-server exited with ${code}; see ${dir}/git-ssh-server.log`)),
    );
  });
  const { address, knownHosts } = JSON.parse(line) as { address: string; knownHosts: string };
  return {
    address,
    port: Number(address.split(':')[1]),
    knownHosts,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A repository on the server and a working copy to commit to. */
export class FixtureRepository {
  private readonly work: string;
  private readonly bare: string;

  constructor(serverDir: string, fullName: string) {
    this.bare = join(serverDir, 'repos', `${fullName}.git`);
    this.work = join(serverDir, 'work', fullName);
    mkdirSync(dirname(this.bare), { recursive: true });
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', this.bare]);
    mkdirSync(this.work, { recursive: true });
    this.git(['init', '--quiet', '--initial-branch=main']);
    this.git(['remote', 'add', 'origin', this.bare]);
  }

  private git(args: string[]): string {
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'e2e',
      GIT_AUTHOR_EMAIL: 'e2e@example.com',
      GIT_COMMITTER_NAME: 'e2e',
      GIT_COMMITTER_EMAIL: 'e2e@example.com',
    };
    return execFileSync('git', args, { cwd: this.work, env, encoding: 'utf8' }).trim();
  }

  /** Writes (or, with `undefined`, deletes) files, commits and pushes; returns the commit's sha. */
  public commit(message: string, files: Record<string, string | undefined>): string {
    for (const [path, content] of Object.entries(files)) {
      const file = join(this.work, path);
      if (content === undefined) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    this.git(['add', '--all']);
    this.git(['commit', '--quiet', '-m', message]);
    this.git(['push', '--quiet', 'origin', 'main']);
    return this.git(['rev-parse', 'HEAD']);
  }
}

const kustomization = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: ` +
  `Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`;

/**
 * The team's layout: `infrastructure/controllers` installs a CRD that `infrastructure/prereqs`
 * then uses (so prereqs can only apply after controllers), `apps/dev`, `secrets`, and
 * `clusters/dev` without `flux-system`, which Terraform owns now.
 */
export const TEAM_LAYOUT: Record<string, string> = {
  'infrastructure/controllers/kustomization.yaml': kustomization('namespace.yaml', 'widget-crd.yaml'),
  'infrastructure/controllers/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: infra\n',
  'infrastructure/controllers/widget-crd.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: { kind: Widget, listKind: WidgetList, plural: widgets, singular: widget }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: string }
`,
  'infrastructure/prereqs/kustomization.yaml': kustomization('widget.yaml'),
  'infrastructure/prereqs/widget.yaml':
    'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: default-widget\n  namespace: infra\nspec:\n  ' +
    'size: small\n',
  'apps/dev/kustomization.yaml': kustomization('namespace.yaml', 'config.yaml', 'extra.yaml'),
  'apps/dev/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
  'apps/dev/config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: apps\ndata:\n  greeting: hello\n',
  'apps/dev/extra.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: apps\ndata:\n  note: to be pruned\n',
  'secrets/kustomization.yaml': kustomization('namespace.yaml', 'secret.yaml'),
  'secrets/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-secrets\n',
  'secrets/secret.yaml':
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-secret\n  namespace: team-secrets\nstringData:\n  ' +
    'password: not-a-real-one\n',
  'clusters/dev/README.md': 'Flux itself is bootstrapped by Terraform (cdktf-flux); nothing here applies it.\n',
  'infrastructure/README.md': 'controllers first, then prereqs.\n',
};

export { kustomization };
