import { documentOnlyDependencies } from '@platform/service-kit';
import type { DiscountsRouteDeps } from './routes/discounts-routes';
import { discountsRoutes } from './routes/discounts-routes';

/**
 * The OpenAPI document `GET /api/discounts/openapi.json` serves, built from the same routes
 * without a database, items or auth's keys (the web app generates its API types from it).
 */
export function openApiDocument(): Record<string, unknown> {
  return discountsRoutes(documentOnlyDependencies<DiscountsRouteDeps>('discounts')).openApiDocument();
}
