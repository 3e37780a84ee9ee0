import { documentOnlyDependencies } from '@platform/service-kit';
import type { AuthRouteDeps } from './routes/auth-routes';
import { authRoutes } from './routes/auth-routes';

/**
 * The OpenAPI document `GET /api/auth/openapi.json` serves, built from the same routes without a
 * database, keys or configuration (the web app generates its API types from it).
 */
export function openApiDocument(): Record<string, unknown> {
  return authRoutes(documentOnlyDependencies<AuthRouteDeps>('auth')).openApiDocument();
}
