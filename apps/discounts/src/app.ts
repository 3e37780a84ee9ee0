import type { Logger } from '@platform/service-kit';
import { jwksTokenVerifier, Service } from '@platform/service-kit';
import type { DiscountsConfig } from './config';
import { ItemsClient } from './items-client';
import { discountModel } from './models/discount';
import { discountsRoutes } from './routes/discounts-routes';

export interface DiscountsOptions {
  logger?: Logger;
  /** Where "now" comes from, so date boundaries can be tested. */
  clock?: () => Date;
}

export function createDiscountsService(
  config: DiscountsConfig,
  options: DiscountsOptions = {},
): Service<DiscountsConfig> {
  return new Service({
    name: 'discounts',
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    build: ({ connection, logger, metrics }) => {
      const discounts = discountModel(connection);
      return {
        routers: [
          discountsRoutes({
            discounts,
            items: new ItemsClient({
              baseUrl: config.ITEMS_URL,
              timeoutMs: config.ITEMS_TIMEOUT,
              logger: logger.child({ component: 'items-client' }),
              metrics,
            }),
            verifier: jwksTokenVerifier(config, logger, metrics),
            now: options.clock ?? (() => new Date()),
          }),
        ],
        initializeDatabase: async () => {
          await discounts.createIndexes();
        },
      };
    },
  });
}
