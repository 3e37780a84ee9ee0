export { createItemsService } from './app';
export { loadItemsConfig } from './config';
export type { ItemsConfig } from './config';
