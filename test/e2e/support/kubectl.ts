import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SynthesizedStack } from '../../support/synth';
import { ClusterBinaries } from './cluster';

/** Where test/e2e/toolchain/build.sh caches the toolchain (npm run test:e2e sets the variable). */
export const TOOLCHAIN_CACHE = process.env.CDKTF_FLUX_E2E_CACHE ?? join(homedir(), '.cache', 'cdktf-flux-e2e');
/** The binaries of the versions last built. */
export const TOOLCHAIN_BIN = join(TOOLCHAIN_CACHE, 'bin');
export const BINARIES: ClusterBinaries & { kubectl: string } = {
  etcd: join(TOOLCHAIN_BIN, 'etcd'),
  kubeApiserver: join(TOOLCHAIN_BIN, 'kube-apiserver'),
  kubeControllerManager: join(TOOLCHAIN_BIN, 'kube-controller-manager'),
  kubectl: join(TOOLCHAIN_BIN, 'kubectl'),
};

/** kubectl against the test cluster; throws with kubectl's own message on failure. */
export function kubectl(kubeconfig: string, args: string[], input?: string): string {
  try {
    return execFileSync(BINARIES.kubectl, ['--kubeconfig', kubeconfig, ...args], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`kubectl ${args.join(' ')}: ${stderr || stdout || (error as Error).message}`, { cause: error });
  }
}

/** `kubectl get -o json` parsed. */
export function getJson<T = Record<string, any>>(kubeconfig: string, args: string[]): T {
  return JSON.parse(kubectl(kubeconfig, ['get', ...args, '-o', 'json'])) as T;
}

/**
 * Server-side apply, strict field validation: what the API server accepts, or its refusal.
 * `Terraform` is the field manager the kubernetes provider's kubernetes_manifest applies as.
 */
export function applyServerSide(
  kubeconfig: string,
  objects: object[],
  options: { fieldManager?: string; forceConflicts?: boolean } = {},
): string {
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  const args = [
    'apply',
    '--server-side',
    `--field-manager=${options.fieldManager ?? 'Terraform'}`,
    '--validate=strict',
    ...(options.forceConflicts ? ['--force-conflicts'] : []),
    '-f',
    '-',
  ];
  return kubectl(kubeconfig, args, JSON.stringify(list));
}

/** Whether the object exists, as `kubectl get --ignore-not-found` sees it. */
export function objectExists(kubeconfig: string, kind: string, name: string, namespace?: string): boolean {
  const args = ['get', kind, name, '--ignore-not-found', '-o', 'name', ...(namespace ? ['-n', namespace] : [])];
  return kubectl(kubeconfig, args).trim() !== '';
}

/** Asks Flux to reconcile the objects now, as `flux reconcile` does. */
export function requestReconcile(kubeconfig: string, kind: string, ...names: string[]): void {
  for (const name of names) {
    const at = `reconcile.fluxcd.io/requestedAt=${Date.now()}`;
    kubectl(kubeconfig, ['annotate', '--overwrite', '-n', 'flux-system', kind, name, at]);
  }
}

/** `${var.x}` in `text` replaced by the stack's variable defaults, as a plan with no -var would. */
function withVariableDefaults(text: string, stack: SynthesizedStack): string {
  const defaults = Object.fromEntries(Object.entries(stack.variable ?? {}).map(([name, v]) => [name, v.default]));
  return text.replace(/(?<!\$)\$\{var\.([a-z_]+)\}/g, (_, name: string) => String(defaults[name]));
}

/**
 * The objects a stack's kubernetes_manifest resources would send, in the order Terraform would
 * create them (by depends_on), with `${var.x}` replaced by the variables' defaults, the bootstrap
 * stack's outputs read as the sync stack's remote state would, and the template escapes undone.
 */
export function stackObjects(stack: SynthesizedStack, bootstrap?: SynthesizedStack): Record<string, any>[][] {
  const outputs: Record<string, { value: string }> = bootstrap
    ? JSON.parse(withVariableDefaults(JSON.stringify(bootstrap.output ?? {}), bootstrap))
    : {};
  const text = withVariableDefaults(JSON.stringify(stack.resource.kubernetes_manifest ?? {}), stack).replace(
    /\$\{data\.terraform_remote_state\.bootstrap\.outputs\.([a-z_]+)\}/g,
    (reference, name: string) => outputs[name]?.value ?? reference,
  );
  const resolved = JSON.parse(text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'));
  const waves: Record<string, any>[][] = [];
  const done = new Set<string>();
  let pending = Object.entries(resolved) as [string, { manifest: Record<string, any>; depends_on?: string[] }][];
  while (pending.length > 0) {
    const ready = pending.filter(([, r]) =>
      (r.depends_on ?? []).every((d) => done.has(d.replace('kubernetes_manifest.', ''))),
    );
    if (ready.length === 0) throw new Error(`depends_on cycle among ${pending.map(([n]) => n).join(', ')}`);
    waves.push(ready.map(([, r]) => r.manifest));
    ready.forEach(([name]) => done.add(name));
    pending = pending.filter(([name]) => !done.has(name));
  }
  return waves;
}
