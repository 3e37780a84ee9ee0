import { z } from 'zod';
import type { Logger } from '@platform/service-kit';
import { serviceUnavailable } from '@platform/service-kit';
import type { PricedItem } from './pricing';

const ItemsResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      priceCents: z.number().int().min(0),
      currency: z.string(),
      category: z.string(),
    }),
  ),
});

class RetryableError extends Error {}

/**
 * Prices from the items service: one batch request per quote, a timeout per attempt, and one
 * retry (the GET is idempotent). Anything short of a good answer is a 503 UPSTREAM_UNAVAILABLE.
 */
export class ItemsClient {
  constructor(
    private readonly options: { baseUrl: string; timeoutMs: number; logger: Logger; fetch?: typeof fetch },
  ) {}

  async byIds(ids: string[], requestId?: string): Promise<PricedItem[]> {
    const url = new URL('/api/items', this.options.baseUrl);
    url.searchParams.set('ids', ids.join(','));
    let lastError: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        return await this.fetchOnce(url, requestId);
      } catch (error) {
        lastError = error;
        if (!(error instanceof RetryableError)) break;
      }
    }
    this.options.logger.warn({ err: lastError, url: url.origin }, 'items service unavailable');
    throw serviceUnavailable('The items service is unavailable; try again shortly', 'UPSTREAM_UNAVAILABLE');
  }

  private async fetchOnce(url: URL, requestId?: string): Promise<PricedItem[]> {
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        headers: { accept: 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new RetryableError(
        `items request failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (response.status >= 500) throw new RetryableError(`items answered ${response.status}`);
    if (!response.ok) throw new Error(`items answered ${response.status}`);
    const parsed = ItemsResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new Error('items answered with an unexpected body');
    return parsed.data.items;
  }
}
