import request from 'supertest';
import type { TestAuth } from '@platform/platform-testing';
import { startTestService } from '@platform/platform-testing';
import type { Service } from '@platform/service-kit';
import { createItemsService, loadItemsConfig } from '@platform/items';
import type { DiscountsConfig } from '../src';
import { createDiscountsService, loadDiscountsConfig } from '../src';

export interface RunningService {
  service: Service;
  url: string;
  api: () => ReturnType<typeof request>;
  stop: () => Promise<void>;
}

/** A clock the tests move by hand. */
export class TestClock {
  constructor(public current = new Date('2026-06-15T12:00:00Z')) {}
  now = () => new Date(this.current);
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

export async function startItems(auth: TestAuth): Promise<RunningService> {
  const items = await startTestService('items', loadItemsConfig, createItemsService, auth.verifierEnv);
  return { ...items, api: () => request(items.url) };
}

export async function startDiscounts(
  auth: TestAuth,
  itemsUrl: string,
  clock: TestClock,
  overrides: Record<string, string> = {},
): Promise<RunningService & { service: Service<DiscountsConfig> }> {
  const discounts = await startTestService(
    'discounts',
    loadDiscountsConfig,
    (config, options) => createDiscountsService(config, { ...options, clock: clock.now }),
    { ...auth.verifierEnv, ITEMS_URL: itemsUrl, ITEMS_TIMEOUT: '500ms', ...overrides },
  );
  return { ...discounts, api: () => request(discounts.url) };
}
