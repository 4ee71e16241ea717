import { createHash } from 'node:crypto';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { IResolveContext, Lazy, Token, Tokenization } from 'cdktf';
import { KubernetesObject } from '../lib/kubernetes-object';
import { literalValue } from '../lib/terraform-literal';

/** The annotation Flux echoes, once it has reconciled the object, as `status.lastHandledReconcileAt`. */
export const RECONCILE_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** A reference cdktf resolved a token to, such as `${var.git_branch}`; a literal `${` is `$${`. */
const REFERENCE = /(?<!\$)\$\{([^{}]+)\}/g;

/**
 * Whether a token is anywhere in the value, such as a Kustomization's `dependsOn`, which stays a
 * Lazy until synth: hashed before, it would be the same text whatever it resolves to.
 */
function holdsToken(value: unknown): boolean {
  if (Tokenization.isResolvable(value) || (typeof value === 'string' && Token.isUnresolved(value))) return true;
  if (Array.isArray(value)) return value.some(holdsToken);
  return value !== null && typeof value === 'object' && Object.values(value).some(holdsToken);
}

/**
 * A value that changes whenever the spec does: the sha1 of the spec as OpenTofu will send it. A
 * spec with references (the branch variable, the repository from the bootstrap's state) is hashed
 * by OpenTofu itself at plan time, so `TF_VAR_git_branch=other` changes it too.
 */
function specDigest(spec: unknown): string {
  const digest = (resolved: unknown) => {
    const text = JSON.stringify(resolved);
    const references = [...text.matchAll(REFERENCE)];
    if (references.length === 0) return sha1(text);
    // sha1(join("", ["<text>", <reference>, "<text>", ...])): the same text, hashed by OpenTofu.
    const parts: string[] = [];
    let last = 0;
    for (const match of references) {
      // The reference as OpenTofu reads it: inside the JSON text its quotes are escaped
      // (`sha1(join(\"\\n\", ...))`), which as an expression of its own they must not be.
      const expression = JSON.parse(`"${match[1]}"`) as string;
      parts.push(JSON.stringify(text.slice(last, match.index)), expression);
      last = match.index + match[0].length;
    }
    parts.push(JSON.stringify(text.slice(last)));
    return `\${sha1(join("", [${parts.join(', ')}]))}`;
  };
  if (!holdsToken(spec) && !JSON.stringify(spec ?? null).includes('${')) {
    return digest(literalValue(spec ?? null));
  }
  return Lazy.stringValue({ produce: (context: IResolveContext) => digest(context.resolve(literalValue(spec))) });
}

/**
 * Makes the deploy that creates or changes `object` wait until Flux reports it Ready for this
 * very spec, through the kubernetes provider's own `wait` block, so that plain `cdktf deploy`
 * fails too when Flux cannot sync. Flux's Ready condition stays True from an earlier generation
 * until the controller has reconciled the new one, so readiness alone would pass at once after
 * an update: the object asks for a reconcile with a digest of its spec, and the wait needs Flux
 * to have handled that very request, with Ready first among the conditions (Flux sorts Stalled
 * and Reconciling before it, and drops both once a reconcile succeeded) and True.
 *
 * The annotation is one of the provider's computed fields (metadata.annotations), so a
 * `flux reconcile`, which overwrites it, is not drift.
 * `reconcileOn` are values outside the spec that make a new request too (the credentials' version).
 * @returns the object, annotated.
 */
export function waitForReady(
  resource: Manifest,
  object: KubernetesObject,
  timeout: string,
  reconcileOn: readonly string[] = [],
): KubernetesObject {
  const request = specDigest(reconcileOn.length > 0 ? [object.spec, ...reconcileOn] : object.spec);
  resource.putWait({
    fields: {
      'status.lastHandledReconcileAt': `^${request}$`,
      'status.conditions[0].type': '^Ready$',
      'status.conditions[0].status': '^True$',
    },
  });
  resource.putTimeouts({ create: timeout, update: timeout });
  const annotations = { ...object.metadata.annotations, [RECONCILE_REQUEST_ANNOTATION]: request };
  return { ...object, metadata: { ...object.metadata, annotations } };
}
