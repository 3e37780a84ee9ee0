import { documentOnlyDependencies } from '@platform/service-kit';
import { itemsRoutes } from './routes/items-routes';

/**
 * The OpenAPI document `GET /api/items/openapi.json` serves, built from the same routes without a
 * database or auth's keys (the web app generates its API types from it).
 */
export function openApiDocument(): Record<string, unknown> {
  return itemsRoutes(documentOnlyDependencies<Parameters<typeof itemsRoutes>[0]>('items')).openApiDocument();
}
