export * from './flux-install';
export * from './flux-resource';
export * from './flux-stack-defaults';
export * from './git-credentials';
export * from './git-https-token-secret';
export * from './git-repository';
export * from './github-access-check';
export * from './github-deploy-key';
export * from './helm-release';
export * from './helm-repository';
export * from './import-existing';
export * from './kubernetes-backend';
export * from './kustomization';
export * from './manifest-resource';
export * from './ready-wait';
// The spec types and kinds generated from the CRDs, which the Flux objects' props derive from.
export * from '../lib/flux-types';
export type { FluxKind } from '../lib/flux-kind';
