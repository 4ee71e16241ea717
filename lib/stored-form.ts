import { canonicalQuantity } from './quantity';
import { KubernetesObject } from './kubernetes-object';

// What the API server rewrites in the built-in objects we apply, and where: quantities in pod
// templates and quotas. Custom resources are stored as sent.

type Json = Record<string, any>;

const mapValues = (map: Json | undefined, f: (v: any) => any): Json | undefined =>
  map && Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === 'string' ? f(v) : v]));

function resources(r: Json | undefined): Json | undefined {
  return (
    r && { ...r, limits: mapValues(r.limits, canonicalQuantity), requests: mapValues(r.requests, canonicalQuantity) }
  );
}

function podSpec(spec: Json | undefined): Json | undefined {
  if (!spec) return spec;
  const containers = (list: Json[] | undefined) =>
    list?.map((c) => (c.resources ? { ...c, resources: resources(c.resources) } : c));
  const volumes = spec.volumes?.map((v: Json) =>
    v.emptyDir?.sizeLimit
      ? { ...v, emptyDir: { ...v.emptyDir, sizeLimit: canonicalQuantity(v.emptyDir.sizeLimit) } }
      : v,
  );
  const out = {
    ...spec,
    containers: containers(spec.containers),
    initContainers: containers(spec.initContainers),
    volumes,
    overhead: mapValues(spec.overhead, canonicalQuantity),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** The spec as the API server will store it, in the fields we set. */
function storedSpec(kind: string, spec: Json): Json {
  if (WORKLOADS.has(kind) && spec.template?.spec)
    return { ...spec, template: { ...spec.template, spec: podSpec(spec.template.spec) } };
  if (kind === 'Pod') return podSpec(spec) ?? spec;
  if (kind === 'ResourceQuota' && spec.hard) return { ...spec, hard: mapValues(spec.hard, canonicalQuantity) };
  if (kind === 'LimitRange' && Array.isArray(spec.limits)) {
    const fields = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];
    return {
      ...spec,
      limits: spec.limits.map((l: Json) =>
        Object.fromEntries(
          Object.entries(l).map(([k, v]) => [k, fields.includes(k) ? mapValues(v as Json, canonicalQuantity) : v]),
        ),
      ),
    };
  }
  if (kind === 'PersistentVolumeClaim' && spec.resources) return { ...spec, resources: resources(spec.resources) };
  return spec;
}

/** The object as the API server will store and return it, in the fields we set. */
export function storedForm(object: KubernetesObject): KubernetesObject {
  const spec = object.spec as Json | undefined;
  return spec ? { ...object, spec: storedSpec(object.kind, spec) } : object;
}
