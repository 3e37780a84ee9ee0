export * from './database/launcher';
export * from './test-database';
export * from './tools';
export * from './eventually';
export * from './service-process';
export * from './supervised';
export * from './platform-runner';
export * from './cluster';
