import type { TestAuth } from '@platform/platform-testing';
import type { Service, ServiceEnv } from '@platform/service-kit';
import { startTestAuth, startTestService } from '@platform/platform-testing';
import { createDiscountsService, loadDiscountsConfig } from '@platform/discounts';
import { createItemsService, loadItemsConfig } from '@platform/items';

export const SERVICE_NAMES = ['auth', 'items', 'discounts'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface RunningService {
  name: ServiceName;
  /** API origin, e.g. http://127.0.0.1:40123 */
  url: string;
  managementUrl: string;
  /** The service's own database. */
  databaseUrl: string;
}

export interface TestPlatform {
  services: Record<ServiceName, RunningService>;
  auth: TestAuth;
  stop: () => Promise<void>;
}

function describeService(name: ServiceName, service: Service<ServiceEnv>): RunningService {
  return {
    name,
    url: service.apiUrl,
    managementUrl: service.managementUrl,
    databaseUrl: service.config.MONGO_URL,
  };
}

/** The three services in-process on loopback, each on its own fresh database, wired as in production. */
export async function startPlatform(): Promise<TestPlatform> {
  const auth = await startTestAuth();
  const stops: (() => Promise<void>)[] = [auth.stop];
  try {
    const items = await startTestService('items', loadItemsConfig, createItemsService, auth.verifierEnv);
    stops.unshift(items.stop);
    const discounts = await startTestService('discounts', loadDiscountsConfig, createDiscountsService, {
      ...auth.verifierEnv,
      ITEMS_URL: items.url,
    });
    stops.unshift(discounts.stop);
    return {
      auth,
      services: {
        auth: describeService('auth', auth.service),
        items: describeService('items', items.service),
        discounts: describeService('discounts', discounts.service),
      },
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops) await stop();
}
