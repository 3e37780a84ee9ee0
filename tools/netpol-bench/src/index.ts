export { generateCluster, type GenerateOptions, type GeneratedCluster } from './generate';
export { CASES, commandArgs, type BenchCase, type CommandName } from './cases';
export { Random } from './random';
