export * from './flux-bootstrap-stack';
export * from './flux-environment';
export * from './flux-sync-stack';
export * from './state-backend';
export * from './synth';
