import { App } from 'cdktf';
import { Construct, IConstruct } from 'constructs';

/** The folders of every copy of `pkg` this process has loaded, for the message. */
function loadedCopies(pkg: string): string[] {
  const entry = new RegExp(`^(.*[\\\\/]node_modules[\\\\/]${pkg})[\\\\/]lib[\\\\/]index\\.js$`);
  return [...new Set(Object.keys(require.cache).flatMap((file) => entry.exec(file)?.[1] ?? []))];
}

function secondCopy(pkg: string, subject: string): Error {
  const copies = loadedCopies(pkg);
  const where = copies.length > 1 ? `: ${copies.join(' and ')}` : '';
  return new Error(
    `${subject}: the app was built with another copy of ${pkg} than cdktf-flux loads${where}. With two copies, ` +
      `instanceof checks and lookups from a scope miss without an error. Keep one: ${pkg} is a peer dependency ` +
      `of cdktf-flux, so install it in the app only (npm ls ${pkg} lists the copies; npm dedupe, or remove the ` +
      `nested one)`,
  );
}

/**
 * Throws unless `scope` belongs to an app built with the copies of `constructs` and `cdktf` this
 * library loads. A second copy in an app's node_modules (nested under cdktf-flux, or a linked
 * checkout with its own node_modules) would otherwise break every `instanceof` and scope lookup
 * silently: a Kustomization that does not find its stack's manifests, an aspect that skips objects.
 */
export function checkFrameworkCopies(scope: IConstruct, subject = scope.node.path || 'app'): void {
  const root = scope.node.root;
  if (!(root instanceof Construct)) throw secondCopy('constructs', subject);
  if (App.isApp(root) && !(root instanceof App)) throw secondCopy('cdktf', subject);
}
