import request from 'supertest';
import { dropDatabase, testDatabaseUrl } from '@platform/devstack';
import type { TestAuth } from '@platform/platform-testing';
import type { Service } from '@platform/service-kit';
import { createLogger } from '@platform/service-kit';
import type { ItemsConfig } from '../src';
import { createItemsService, loadItemsConfig } from '../src';

export interface RunningItems {
  service: Service<ItemsConfig>;
  api: () => ReturnType<typeof request>;
  stop: () => Promise<void>;
}

export async function startItems(auth: TestAuth, overrides: Record<string, string> = {}): Promise<RunningItems> {
  const config = loadItemsConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    MONGO_URL: testDatabaseUrl('items'),
    LOG_LEVEL: 'silent',
    ...auth.verifierEnv,
    ...overrides,
  });
  const service = createItemsService(config, { logger: createLogger({ service: 'items', level: 'silent' }) });
  await service.start();
  await service.whenReady();
  return {
    service,
    api: () => request(service.apiUrl),
    stop: async () => {
      await service.stop();
      await dropDatabase(config.MONGO_URL);
    },
  };
}

export const lamp = { name: 'Desk Lamp', description: 'Warm light', priceCents: 3999, currency: 'EUR', category: 'lighting', stock: 12 };
