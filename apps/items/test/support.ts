import request from 'supertest';
import type { TestAuth } from '@platform/platform-testing';
import { startTestService } from '@platform/platform-testing';
import type { Service } from '@platform/service-kit';
import { createItemsService, loadItemsConfig } from '../src';

export interface RunningItems {
  service: Service;
  api: () => ReturnType<typeof request>;
  stop: () => Promise<void>;
}

export async function startItems(
  auth: TestAuth,
  overrides: Record<string, string> = {},
): Promise<RunningItems> {
  const items = await startTestService('items', loadItemsConfig, createItemsService, {
    ...auth.verifierEnv,
    ...overrides,
  });
  return { service: items.service, api: () => request(items.url), stop: items.stop };
}

export const lamp = {
  name: 'Desk Lamp',
  description: 'Warm light',
  priceCents: 3999,
  currency: 'EUR',
  category: 'lighting',
  stock: 12,
};
