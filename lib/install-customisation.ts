import { controllerPatches } from './controller-settings';
import { FluxManifests } from './flux-manifests';
import { installObjects, ResolvedInstallOptions } from './install-options';
import { applyInstallPatches } from './install-patches';
import { KubernetesObject } from './kubernetes-object';
import { Problems } from './rules';

/** The objects of the install once customised, and the controllers whose flags could not be checked. */
export interface CustomisedInstall {
  readonly objects: KubernetesObject[];
  /** `controller version` of each controller given flags that lib/controller-flags.ts does not know. */
  readonly uncheckedFlags: string[];
}

/**
 * The objects `flux install` would produce with these options, then the typed settings' patches
 * (controllers, multiTenancy), then the user's patches in order; throws every problem at once.
 */
export function customisedInstall(
  subject: string,
  manifests: FluxManifests,
  options: ResolvedInstallOptions,
): CustomisedInstall {
  const objects = installObjects(manifests, options);
  const problems = new Problems(subject);
  const typed = controllerPatches(objects, options);
  typed.problems.forEach((p) => problems.add(p));
  const own = options.patches.map((patch, i) => ({ ...patch, source: `patches[${i}]` }));
  const customised = applyInstallPatches(problems, objects, [...typed.patches, ...own]);
  problems.throwIfAny();
  return { objects: customised, uncheckedFlags: typed.unchecked };
}
