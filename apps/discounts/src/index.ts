export { createDiscountsService } from './app';
export type { DiscountsOptions } from './app';
export { loadDiscountsConfig } from './config';
export type { DiscountsConfig } from './config';
export { openApiDocument } from './openapi';
