export * from './deploy';
export * from './networkModel';
