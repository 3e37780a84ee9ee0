import type { Logger } from '@platform/service-kit';
import { jwksTokenVerifier, Service } from '@platform/service-kit';
import type { ItemsConfig } from './config';
import { itemModel } from './models/item';
import { itemsRoutes } from './routes/items-routes';

export function createItemsService(
  config: ItemsConfig,
  options: { logger?: Logger } = {},
): Service<ItemsConfig> {
  return new Service({
    name: 'items',
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    build: ({ connection, logger, metrics }) => {
      const items = itemModel(connection);
      return {
        routers: [itemsRoutes({ items, verifier: jwksTokenVerifier(config, logger, metrics) })],
        initializeDatabase: async () => {
          await items.createIndexes();
        },
      };
    },
  });
}
