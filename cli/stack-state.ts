// A stack's state as OpenTofu reads it (`state pull`: any backend, decrypted), for the steps of
// cdktf-flux deploy that recover from an earlier run. It holds the private key in clear text: read
// what is needed, never print it.
import { spawnSync } from 'node:child_process';

export interface StateInstance {
  readonly attributes: Record<string, unknown>;
  readonly status?: string;
}

export interface StateResource {
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly instances: readonly StateInstance[];
}

export interface StackState {
  readonly resources: readonly StateResource[];
}

/** The stack's state; no resources when it has none yet. */
export function pullState(binary: string, dir: string): StackState {
  const pulled = spawnSync(binary, ['state', 'pull'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (pulled.status !== 0 || !pulled.stdout.trim()) return { resources: [] };
  const state = JSON.parse(pulled.stdout) as { resources?: StateResource[] };
  return { resources: state.resources ?? [] };
}

/** `type.name`, or `data.type.name`, as OpenTofu addresses it. */
export const addressOf = (r: StateResource) => `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`;

export const addressesOf = (state: StackState) => new Set(state.resources.map(addressOf));

/** The attributes of the resource at `address` (its first instance), when it is in state. */
export function attributesAt(state: StackState, address: string): Record<string, unknown> | undefined {
  return state.resources.find((r) => addressOf(r) === address)?.instances[0]?.attributes;
}
