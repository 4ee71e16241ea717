import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';

// A real control plane on loopback: etcd, kube-apiserver and kube-controller-manager (for
// namespace deletion and garbage collection). There is no scheduler and no kubelet, so pods
// stay Pending: Flux's controllers never run, and no finalizer is ever added by them.

/** Where the toolchain binaries are (test/e2e/toolchain/build.sh puts them there). */
export interface ClusterBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
}

export interface Cluster {
  /** A kubeconfig with one context, `e2e`, authenticated by a static token. */
  readonly kubeconfig: string;
  readonly server: string;
  readonly token: string;
  /** Stops kube-apiserver alone, as a control-plane upgrade does; etcd keeps what it committed. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same address, and waits until it is ready. */
  startApiServer(): Promise<void>;
  /** Stops every process; safe to call twice. */
  stop(): Promise<void>;
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  processes: ChildProcess[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = processes.find((p) => p.exitCode !== null);
    if (dead) throw new Error(`${what}: ${dead.spawnfile} exited with ${dead.exitCode}; see its log`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000}s`);
}

/** `GET /readyz` until the API server answers 200 with the token. */
function readyz(server: string, token: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    // The API server's certificate is self-signed by itself; trust is by token, on loopback.
    const request = get(
      `${server}/readyz`,
      { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('error', reject);
  });
}

export async function startCluster(dir: string, bin: ClusterBinaries): Promise<Cluster> {
  mkdirSync(dir, { recursive: true });
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(16).toString('hex');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'admin' } }],
      'current-context': 'e2e',
    }),
  );

  const processes: ChildProcess[] = [];
  const start = (name: string, command: string, args: string[]) => {
    const log = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(command, args, { stdio: ['ignore', log, log], detached: false });
    processes.push(child);
    return child;
  };
  const stopProcess = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const stop = async () => {
    for (const child of [...processes].reverse()) await stopProcess(child);
  };
  // Stop the control plane with the test process, also when it fails or is interrupted.
  process.once('exit', () => processes.forEach((p) => p.exitCode === null && p.kill('SIGKILL')));

  const apiServerArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    `--secure-port=${apiPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--cert-dir=${join(dir, 'certs')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    // Configuration only: nothing routes to this range, no traffic is ever sent there.
    '--service-cluster-ip-range=10.96.0.0/16',
  ];
  let apiServer: ChildProcess | undefined;
  const startApiServer = async () => {
    apiServer = start('kube-apiserver', bin.kubeApiserver, apiServerArgs);
    await waitFor('kube-apiserver', () => readyz(server, token), 90_000, [etcd!, apiServer]);
  };
  const stopApiServer = async () => {
    if (apiServer) await stopProcess(apiServer);
  };
  let etcd: ChildProcess | undefined;
  try {
    etcd = start('etcd', bin.etcd, [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
    ]);
    await startApiServer();
    start('kube-controller-manager', bin.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      '--controllers=*,-nodeipam,-cloud-node-lifecycle',
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kubeconfig, server, token, stopApiServer, startApiServer, stop };
}
