import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { Cluster, freePort } from './cluster';
import { TOOLCHAIN_CACHE } from './kubectl';

// The test cluster has no kubelet, so nothing would ever run Flux's controllers. This plays the
// kubelet's part for source-controller and kustomize-controller (and helm-controller and
// notification-controller, for the tests that ask for them): while their Deployment exists
// on the API server it runs the controller as a process, built from the version the Deployment's
// image names, with the Deployment's own arguments and environment; when the Deployment changes
// (an upgrade, another log level) it restarts it; when the Deployment is deleted it stops it.
// Only what running outside a pod requires is replaced: where artifacts are stored and served,
// the metrics and health ports (all on loopback), leader election, and the event address: the
// Deployments send events to notification-controller's Service, a DNS name no process here
// resolves. With notification-controller running, its event server listens on a loopback port that
// outlives its restarts and the others send their events there; without it, they send none.

/** Controllers that are not served at the version Flux's manifests name, and what stands in. */
export const CONTROLLER_STAND_INS: Record<string, string> = {
  'kustomize-controller:v1.8.5': 'v1.9.0',
  'notification-controller:v1.8.4': 'v1.9.2',
};

/** The controllers run unless a test asks for others: those of the GitOps loop. */
const CONTROLLERS = ['source-controller', 'kustomize-controller'];
const REPLACED = [
  '--storage-path',
  '--storage-addr',
  '--storage-adv-addr',
  '--metrics-addr',
  '--health-addr',
  '--events-addr',
  '--receiverAddr',
  '--enable-leader-election',
];

/** The loopback ports that stand in for Services, kept across restarts as a Service's address is. */
interface Ports {
  /** source-controller's artifacts. */
  readonly storage: number;
  /** notification-controller's event server, when it runs. */
  readonly events?: number;
  /** notification-controller's webhook receiver, when it runs. */
  readonly receiver?: number;
}

interface Running {
  readonly spec: string;
  readonly process: ChildProcess;
  readonly version: string;
  readonly args: readonly string[];
}

export interface FluxKubelet {
  /** The version each controller runs now, by name. */
  versions(): Record<string, string>;
  /** The arguments the controller runs with now (its Deployment's, with the replaced ones). */
  args(name: string): readonly string[] | undefined;
  /** Where notification-controller's webhook receiver listens, when it runs: `http://127.0.0.1:<port>`. */
  receiverUrl(): string | undefined;
  stop(): Promise<void>;
}

function getJson(cluster: Cluster, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const request = get(
      `${cluster.server}${path}`,
      { headers: { Authorization: `Bearer ${cluster.token}` }, rejectUnauthorized: false },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () =>
          response.statusCode === 404
            ? resolve(undefined)
            : response.statusCode === 200
              ? resolve(JSON.parse(body))
              : reject(new Error(`${path}: ${response.statusCode} ${body}`)),
        );
      },
    );
    request.on('error', reject);
  });
}

/** The binary for an image such as ghcr.io/fluxcd/source-controller:v1.9.4. */
export function controllerBinary(image: string): { name: string; version: string; path: string } {
  const [, name, tag] = /\/([a-z-]+):(v[\w.-]+)$/.exec(image) ?? [];
  const version = CONTROLLER_STAND_INS[`${name}:${tag}`] ?? tag;
  return { name, version, path: join(TOOLCHAIN_CACHE, name, version, name) };
}

async function command(
  deployment: any,
  namespace: string,
  dir: string,
  ports: Ports,
): Promise<{ binary: string; version: string; args: string[]; env: Record<string, string> }> {
  const container = deployment.spec.template.spec.containers[0];
  const { name, version, path } = controllerBinary(container.image);
  if (!existsSync(path)) throw new Error(`${name} ${version} is not built: run test/e2e/toolchain/build.sh flux`);
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = namespace;
  }
  const expand = (arg: string) => arg.replace(/\$\(([A-Z_]+)\)/g, (_, v: string) => env[v] ?? '');
  const args = (container.args as string[]).map(expand).filter((a) => !REPLACED.includes(a.split('=')[0]));
  const [metrics, health] = [await freePort(), await freePort()];
  args.push(
    `--metrics-addr=127.0.0.1:${metrics}`,
    `--health-addr=127.0.0.1:${health}`,
    '--enable-leader-election=false',
  );
  if (name === 'notification-controller') {
    // Its flags are listen addresses, left to their defaults (all interfaces) by the Deployment.
    args.push(`--events-addr=127.0.0.1:${ports.events}`, `--receiverAddr=127.0.0.1:${ports.receiver}`);
  } else if (ports.events !== undefined) {
    args.push(`--events-addr=http://127.0.0.1:${ports.events}/`);
  }
  if (name === 'source-controller') {
    const storage = ports.storage;
    mkdirSync(join(dir, 'artifacts'), { recursive: true });
    args.push(
      `--storage-path=${join(dir, 'artifacts')}`,
      `--storage-addr=127.0.0.1:${storage}`,
      `--storage-adv-addr=127.0.0.1:${storage}`,
    );
  }
  return { binary: path, version, args, env };
}

export interface FluxKubeletOptions {
  /** @default source-controller and kustomize-controller */
  readonly controllers?: readonly string[];
}

export function startFluxKubelet(
  cluster: Cluster,
  namespace: string,
  dir: string,
  { controllers = CONTROLLERS }: FluxKubeletOptions = {},
): FluxKubelet {
  const running = new Map<string, Running>();
  let stopped = false;
  // On a cluster, source-controller's artifacts are served behind its Service, an address that
  // outlives every restart; GitRepository statuses carry URLs at it. A new port per restart would
  // leave kustomize-controller retrying downloads from the old one for minutes after an upgrade.
  let ports: Ports | undefined;
  const notifications = controllers.includes('notification-controller');
  const kill = async (name: string) => {
    const r = running.get(name);
    running.delete(name);
    if (!r || r.process.exitCode !== null) return;
    const exited = new Promise((resolve) => r.process.once('exit', resolve));
    r.process.kill('SIGTERM');
    const timer = setTimeout(() => r.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const sync = async () => {
    for (const name of controllers) {
      const deployment = await getJson(cluster, `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
      const spec = deployment ? JSON.stringify(deployment.spec.template.spec) : undefined;
      const current = running.get(name);
      if (current && current.spec === spec && current.process.exitCode === null) continue;
      if (current) await kill(name);
      if (!spec || stopped) continue;
      ports ??= notifications
        ? { storage: await freePort(), events: await freePort(), receiver: await freePort() }
        : { storage: await freePort() };
      const { binary, version, args, env } = await command(deployment, namespace, join(dir, name), ports);
      const log = openSync(join(dir, `${name}.log`), 'a');
      const child = spawn(binary, args, {
        stdio: ['ignore', log, log],
        env: { ...process.env, ...env, KUBECONFIG: cluster.kubeconfig },
      });
      running.set(name, { spec, process: child, version, args });
    }
  };
  mkdirSync(dir, { recursive: true });
  process.once('exit', () => running.forEach((r) => r.process.exitCode === null && r.process.kill('SIGKILL')));
  const loop = (async () => {
    while (!stopped) {
      await sync().catch((error: Error) => console.error(`# flux kubelet: ${error.message}`));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    versions: () => Object.fromEntries([...running].map(([name, r]) => [name, r.version])),
    args: (name) => running.get(name)?.args,
    receiverUrl: () => (ports?.receiver === undefined ? undefined : `http://127.0.0.1:${ports.receiver}`),
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all(controllers.map(kill));
    },
  };
}
