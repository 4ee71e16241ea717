export * from './flux-install';
export * from './flux-resource';
export * from './git-credentials';
export * from './git-https-token-secret';
export * from './git-repository';
export * from './github-deploy-key';
export * from './kustomization';
export * from './manifest-resource';
