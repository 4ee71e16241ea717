import { canonicalQuantity } from './quantity';
import { KubernetesObject } from './kubernetes-object';

// What the API server rewrites in the built-in objects we apply, and where: quantities in pod
// templates and quotas, and the defaults it gives the items of a pod template's lists and a
// Service's ports. Custom resources are stored as sent.
//
// Why the list items' defaults are written out: the kubernetes provider plans an update by list
// index, filling every field the configuration does not set from the prior object at the same
// index (hashicorp/terraform-provider-kubernetes#2639). When a patch adds an env var in front of
// the others, the default `fieldRef.apiVersion` of the var that used to be first would be sent
// with the new one, and the API server refuses the Deployment. A default the configuration sets
// is never filled in, so an item that moves carries nothing of its neighbour.

type Json = Record<string, any>;

const mapValues = (map: Json | undefined, f: (v: any) => any): Json | undefined =>
  map && Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === 'string' ? f(v) : v]));

function resources(r: Json | undefined): Json | undefined {
  return (
    r && { ...r, limits: mapValues(r.limits, canonicalQuantity), requests: mapValues(r.requests, canonicalQuantity) }
  );
}

/** `fields` under `object`'s own, so that what the object sets wins. */
const defaults = (object: Json | undefined, fields: Json): Json | undefined => object && { ...fields, ...object };

// From k8s.io/kubernetes pkg/apis/core/v1/defaults.go (SetDefaults_Probe, _HTTPGetAction, _Container,
// _ContainerPort, _ObjectFieldSelector, the volume sources'), and the resourceFieldRef divisor,
// which the API server returns as "0" when unset.
const FILE_MODE = 420; // 0644

const httpGet = (action: Json | undefined) => defaults(action, { path: '/', scheme: 'HTTP' });
const handler = (h: Json | undefined) => h && (h.httpGet ? { ...h, httpGet: httpGet(h.httpGet) } : h);
const probe = (p: Json | undefined) =>
  p && handler(defaults(p, { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 }));

function envVar(e: Json): Json {
  const from = e.valueFrom;
  if (!from) return e;
  return {
    ...e,
    valueFrom: {
      ...from,
      ...(from.fieldRef && { fieldRef: defaults(from.fieldRef, { apiVersion: 'v1' }) }),
      ...(from.resourceFieldRef && {
        resourceFieldRef: {
          ...from.resourceFieldRef,
          divisor: canonicalQuantity(from.resourceFieldRef.divisor ?? '0'),
        },
      }),
    },
  };
}

// The policy follows the tag, as the API server's defaulting does: `latest` or no tag (and no
// digest) pulls always.
function pullPolicy(image: unknown): string {
  const ref = String(image ?? '');
  if (ref.includes('@')) return 'IfNotPresent';
  const tag = /:([^/:]+)$/.exec(ref)?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function container(c: Json): Json {
  const out: Json = {
    imagePullPolicy: pullPolicy(c.image),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...c,
    resources: resources(c.resources),
    env: c.env?.map(envVar),
    ports: c.ports?.map((p: Json) => defaults(p, { protocol: 'TCP' })),
    livenessProbe: probe(c.livenessProbe),
    readinessProbe: probe(c.readinessProbe),
    startupProbe: probe(c.startupProbe),
    lifecycle: c.lifecycle && {
      ...c.lifecycle,
      ...(c.lifecycle.postStart && { postStart: handler(c.lifecycle.postStart) }),
      ...(c.lifecycle.preStop && { preStop: handler(c.lifecycle.preStop) }),
    },
  };
  return withoutUndefined(out);
}

const fieldRefItems = (items: Json[] | undefined) =>
  items?.map((i) => (i.fieldRef ? { ...i, fieldRef: defaults(i.fieldRef, { apiVersion: 'v1' }) } : i));

function projection(source: Json): Json {
  return withoutUndefined({
    ...source,
    downwardAPI: source.downwardAPI && { ...source.downwardAPI, items: fieldRefItems(source.downwardAPI.items) },
    serviceAccountToken: defaults(source.serviceAccountToken, { expirationSeconds: 3600 }),
  });
}

function volume(v: Json): Json {
  return withoutUndefined({
    ...v,
    emptyDir: v.emptyDir?.sizeLimit
      ? { ...v.emptyDir, sizeLimit: canonicalQuantity(v.emptyDir.sizeLimit) }
      : v.emptyDir,
    secret: defaults(v.secret, { defaultMode: FILE_MODE }),
    configMap: defaults(v.configMap, { defaultMode: FILE_MODE }),
    downwardAPI: v.downwardAPI && {
      defaultMode: FILE_MODE,
      ...v.downwardAPI,
      items: fieldRefItems(v.downwardAPI.items),
    },
    projected: v.projected && {
      defaultMode: FILE_MODE,
      ...v.projected,
      sources: v.projected.sources?.map(projection),
    },
    hostPath: defaults(v.hostPath, { type: '' }),
  });
}

const withoutUndefined = (object: Json): Json =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

function podSpec(spec: Json | undefined): Json | undefined {
  if (!spec) return spec;
  const containers = (list: Json[] | undefined) => list?.map(container);
  const volumes = spec.volumes?.map(volume);
  const out = {
    ...spec,
    containers: containers(spec.containers),
    initContainers: containers(spec.initContainers),
    volumes,
    overhead: mapValues(spec.overhead, canonicalQuantity),
  };
  return withoutUndefined(out);
}

// SetDefaults_Service: a port's protocol, and its targetPort, which is the port itself when unset.
const servicePort = (p: Json) => ({ protocol: 'TCP', targetPort: p.port, ...p });

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** The spec as the API server will store it, in the fields we set. */
function storedSpec(kind: string, spec: Json): Json {
  if (WORKLOADS.has(kind) && spec.template?.spec)
    return { ...spec, template: { ...spec.template, spec: podSpec(spec.template.spec) } };
  if (kind === 'Pod') return podSpec(spec) ?? spec;
  if (kind === 'Service' && Array.isArray(spec.ports)) return { ...spec, ports: spec.ports.map(servicePort) };
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
