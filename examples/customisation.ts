// Customised installs as the README shows them; the compiler checks this file, and a test checks
// that the README quotes it verbatim and that each environment synthesizes.
import { EnvironmentSettings } from 'cdktf-flux';

// EKS: SOPS decryption with KMS and pulling from ECR, through IAM roles for service accounts.
export const eks: EnvironmentSettings = {
  name: 'eks',
  install: {
    controllers: {
      'kustomize-controller': {
        serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux-kustomize' },
      },
      'source-controller': {
        serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/flux-source' },
      },
    },
  },
};

// GKE: Workload Identity, each controller as a Google service account.
export const gke: EnvironmentSettings = {
  name: 'gke',
  install: {
    controllers: {
      'kustomize-controller': {
        serviceAccountAnnotations: {
          'iam.gke.io/gcp-service-account': 'flux-kustomize@my-project.iam.gserviceaccount.com',
        },
      },
      'source-controller': {
        serviceAccountAnnotations: {
          'iam.gke.io/gcp-service-account': 'flux-source@my-project.iam.gserviceaccount.com',
        },
      },
    },
  },
};

// AKS: Microsoft Entra Workload ID needs the client id on the service account and a label on the pods.
const azureIdentity = {
  serviceAccountAnnotations: { 'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000000' },
  podLabels: { 'azure.workload.identity/use': 'true' },
};
export const aks: EnvironmentSettings = {
  name: 'aks',
  install: { controllers: { 'kustomize-controller': azureIdentity, 'source-controller': azureIdentity } },
};

// A large fleet: more reconciles at once, failing dependencies retried sooner, more memory, own nodes.
const fleetScheduling = {
  nodeSelector: { 'node-role.kubernetes.io/flux': '' },
  tolerations: [{ key: 'flux', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] as const,
};
export const fleet: EnvironmentSettings = {
  name: 'fleet',
  install: {
    controllers: {
      'kustomize-controller': {
        flags: { concurrent: 20, requeueDependency: '5s' },
        resources: { limits: { cpu: '2', memory: '2Gi' } },
        ...fleetScheduling,
      },
      'helm-controller': {
        flags: { concurrent: 10, requeueDependency: '5s', featureGates: { OOMWatch: true } },
        ...fleetScheduling,
      },
      'source-controller': { flags: { concurrent: 10, other: { 'helm-cache-max-size': 10 } }, ...fleetScheduling },
    },
  },
};

// Tenants share the cluster: no references across namespaces, no remote bases, and a tenant's
// Kustomization or HelmRelease without a service account of its own applies as `default`.
export const tenants: EnvironmentSettings = {
  name: 'tenants',
  install: { multiTenancy: { defaultServiceAccount: 'default' } },
};

// Anything else, as `flux bootstrap` takes it in clusters/<env>/flux-system/kustomization.yaml.
export const patched: EnvironmentSettings = {
  name: 'patched',
  install: {
    patches: [
      {
        patch: `
- op: add
  path: /spec/template/spec/containers/0/args/-
  value: --max-retry-delay=10m
`,
        target: { kind: 'Deployment', name: '(kustomize-controller|helm-controller)' },
      },
      {
        patch: {
          spec: {
            template: {
              spec: { containers: [{ name: 'manager', env: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }] }] },
            },
          },
        },
        target: { kind: 'Deployment', labelSelector: 'app.kubernetes.io/part-of=flux' },
      },
    ],
  },
};
