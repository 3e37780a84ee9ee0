export { createItemsService } from './app';
export { loadItemsConfig } from './config';
export type { ItemsConfig } from './config';
export { itemImagePath, itemImageSlug } from './item-image';
export { DEMO_CATALOG } from './seed-catalog';
export { openApiDocument } from './openapi';
