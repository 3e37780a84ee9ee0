import { z } from 'zod';
import type { Logger, ServiceMetrics } from '@platform/service-kit';
import { fetchUpstreamJson, serviceUnavailable, UpstreamError } from '@platform/service-kit';
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

/**
 * Prices from the items service: one batch request per quote, a timeout per attempt, and one
 * retry (the GET is idempotent). Anything short of a good answer is a 503 UPSTREAM_UNAVAILABLE.
 * Each attempt is timed by outcome under target `items`.
 */
export class ItemsClient {
  constructor(
    private readonly options: {
      baseUrl: string;
      timeoutMs: number;
      logger: Logger;
      metrics?: ServiceMetrics;
      fetch?: typeof fetch;
    },
  ) {}

  async byIds(ids: string[], requestId?: string): Promise<PricedItem[]> {
    const url = new URL('/api/items', this.options.baseUrl);
    url.searchParams.set('ids', ids.join(','));
    let lastError: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        return await fetchUpstreamJson({
          target: 'items',
          url,
          timeoutMs: this.options.timeoutMs,
          headers: requestId ? { 'x-request-id': requestId } : {},
          parse: (body) => {
            const parsed = ItemsResponse.safeParse(body);
            return parsed.success ? parsed.data.items : undefined;
          },
          metrics: this.options.metrics,
          fetch: this.options.fetch,
        });
      } catch (error) {
        lastError = error;
        if (!(error instanceof UpstreamError && error.retryable)) break;
      }
    }
    this.options.logger.warn({ err: lastError, url: url.origin }, 'items service unavailable');
    throw serviceUnavailable('The items service is unavailable; try again shortly', 'UPSTREAM_UNAVAILABLE');
  }
}
