// What an apply of a stack must take over from earlier runs that did not finish (killed, a lost
// answer, deleted state), so that it converges instead of failing on what already exists: the
// Kubernetes objects (cli/take-over.ts) and the GitHub deploy keys (cli/deploy-keys.ts). cdktf-flux
// deploy applies with it; cdktf-flux review plans with it, so the review shows what the deploy does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeployKeyResource,
  deployKeyResources,
  deployKeysToTakeOver,
  keysBeingReplaced,
  removeOrphanedDeployKeys,
} from './deploy-keys';
import { addressesOf, pullState } from './stack-state';
import { Found, objectsNotInState, writeTakeOver } from './take-over';

export interface Recovery {
  readonly takeOver: readonly Found[];
  /** Declared objects on the cluster that neither this stack nor Flux's install made. */
  readonly inTheWay: readonly Found[];
  /** Public keys the stack's Secrets hold now and the apply replaces. */
  readonly replacedKeys: readonly string[];
  readonly deployKeys: readonly DeployKeyResource[];
}

export async function recoveryFor(binary: string, dir: string): Promise<Recovery> {
  const config = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
  const state = pullState(binary, dir);
  const deployKeys = deployKeyResources(config);
  const [objects, keys, replacedKeys] = await Promise.all([
    objectsNotInState(dir, addressesOf(state)),
    deployKeysToTakeOver(deployKeys, state),
    keysBeingReplaced(deployKeys, state, config),
  ]);
  return { takeOver: [...objects.takeOver, ...keys], inTheWay: objects.inTheWay, replacedKeys, deployKeys };
}

/** The refusal of objects in the way, naming each and what to do. */
export function inTheWayMessage(stack: string, inTheWay: readonly Found[]): string {
  const one = inTheWay.length === 1;
  return (
    `${stack}: ${inTheWay.map((o) => o.label).join(', ')} ${one ? 'exists' : 'exist'} on the cluster, but neither ` +
    `this stack (field manager Terraform) nor Flux's install (label app.kubernetes.io/part-of=flux) made ` +
    `${one ? 'it' : 'them'}: delete ${one ? 'it' : 'them'}, or take ${one ? 'it' : 'them'} over with adopt: true ` +
    `in the environment's settings`
  );
}

/** Writes the import blocks of the take-over for one command; returns the function that removes them. */
export function useTakeOver(stack: string, dir: string, recovery: Recovery, log: (line: string) => void): () => void {
  if (recovery.takeOver.length === 0) return () => undefined;
  log(
    `${stack}: taking over ${recovery.takeOver.length} objects an earlier apply made but did not record in state ` +
      `(imported, not recreated): ${recovery.takeOver.map((o) => o.label).join(', ')}`,
  );
  return writeTakeOver(dir, recovery.takeOver);
}

/** After a successful apply: the deploy keys no state knows any more, removed from GitHub. */
export async function removeOrphans(binary: string, dir: string, recovery: Recovery): Promise<string[]> {
  if (recovery.deployKeys.length === 0) return [];
  return removeOrphanedDeployKeys(recovery.deployKeys, pullState(binary, dir), recovery.replacedKeys);
}
