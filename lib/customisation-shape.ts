import {
  ControllerFlags,
  ControllerResources,
  ControllerSettings,
  ControllerToleration,
  FluxController,
  LOG_LEVELS,
  MultiTenancySettings,
  TYPED_FLAGS,
} from './controller-settings';
import { InstallPatch } from './install-patches';
import { PATCH_TARGET } from './patch-target';
import { isQuantity } from './quantity';
import { GO_DURATION, LABEL_VALUE, NAME, QUALIFIED_KEY, Rule } from './rules';
import { boolean, Check, fieldsOf, is, list, object, oneOf, problem, record, required, string } from './shape';

// The run-time shape of the install's customisation settings (controllers, multiTenancy,
// patches), shared by an environment's `install` and the FluxInstall construct's props. Values
// that need the manifests (a flag the controller's version lacks, a patch target that selects
// nothing) are checked when the patches are applied.

const isRecord = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A map whose keys are label or annotation keys, and whose values `values` accepts. */
function keyedMap(values: Rule | undefined): Check {
  return (value, path, out) => {
    if (value === undefined) return;
    if (!isRecord(value)) return problem(out, path, value, 'must be an object of keys and string values');
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (!QUALIFIED_KEY.test(key)) problem(out, `${path}["${key}"]`, key, QUALIFIED_KEY.text);
      string(values)(v, `${path}["${key}"]`, out);
    }
  };
}

const positiveInteger: Check = (value, path, out) => {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1))
    problem(out, path, value, 'must be a whole number of at least 1');
};

const quantity = string({ test: isQuantity, text: 'is not a quantity; use one such as 500m, 2, 512Mi or 1Gi' });

const otherFlags: Check = (value, path, out) => {
  record((v, p, o) => {
    if (!['string', 'number', 'boolean'].includes(typeof v)) problem(o, p, v, 'must be a string, number or boolean');
  })(value, path, out);
  for (const name of isRecord(value) ? Object.keys(value as object) : []) {
    const typed = Object.entries(TYPED_FLAGS).find(([, flag]) => flag === name)?.[0];
    if (name.startsWith('-')) problem(out, `${path}.${name}`, name, `give the flag's name without "--"`);
    else if (typed) problem(out, `${path}.${name}`, name, `is a typed setting; use flags.${typed}`);
    else if (name === 'watch-all-namespaces')
      problem(out, `${path}.${name}`, name, 'is set by install.watchAllNamespaces');
  }
};

const FLAGS = fieldsOf<ControllerFlags>()({
  concurrent: positiveInteger,
  requeueDependency: string(GO_DURATION),
  featureGates: record(boolean),
  logLevel: oneOf(LOG_LEVELS),
  other: otherFlags,
});

const TOLERATION = fieldsOf<ControllerToleration>()({
  key: string(QUALIFIED_KEY),
  operator: oneOf(['Exists', 'Equal']),
  value: string(LABEL_VALUE),
  effect: oneOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  tolerationSeconds: (value, path, out) => {
    if (value !== undefined && !Number.isInteger(value)) problem(out, path, value, 'must be a whole number of seconds');
  },
});

const CONTROLLER = fieldsOf<ControllerSettings>()({
  flags: object(FLAGS),
  resources: object(fieldsOf<ControllerResources>()({ limits: record(quantity), requests: record(quantity) })),
  serviceAccountAnnotations: keyedMap(undefined),
  podLabels: keyedMap(LABEL_VALUE),
  nodeSelector: keyedMap(LABEL_VALUE),
  affinity: is(isRecord, 'an object (a Kubernetes Affinity: nodeAffinity, podAffinity, podAntiAffinity)'),
  tolerations: list(object(TOLERATION)),
  priorityClassName: string(NAME),
});

/** Every controller `flux install` knows, each with the same settings. */
const CONTROLLERS = fieldsOf<Record<FluxController, ControllerSettings>>()({
  'source-controller': object(CONTROLLER),
  'kustomize-controller': object(CONTROLLER),
  'helm-controller': object(CONTROLLER),
  'notification-controller': object(CONTROLLER),
  'image-reflector-controller': object(CONTROLLER),
  'image-automation-controller': object(CONTROLLER),
  'source-watcher': object(CONTROLLER),
});

const patchText: Check = (value, path, out) => {
  if (typeof value !== 'string' && !(value !== null && typeof value === 'object'))
    problem(out, path, value, 'must be YAML or JSON text, a list of JSON patch operations, or an object');
};

/** The customisation fields of FluxInstallOptions. */
export const CUSTOMISATION = {
  controllers: object(CONTROLLERS),
  multiTenancy: object(fieldsOf<MultiTenancySettings>()({ defaultServiceAccount: string(NAME) })),
  patches: list(object(fieldsOf<InstallPatch>()({ patch: required(patchText), target: object(PATCH_TARGET) }))),
} satisfies Record<string, Check>;
