export * from './types';
export * from './selectors';
export * from './cidr';
export * from './engine';
export * from './manifests';
export * from './contract';
export * from './analysis';
export * from './report';
export { main as runCli } from './cli';
