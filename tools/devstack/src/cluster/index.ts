export * from './control-plane';
export * from './nodes';
export * from './pki';
export * from './crds';
