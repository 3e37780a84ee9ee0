import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';

/** A failure worth one more try: the network, or a service that is down or overloaded. */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status === 429 || error.status >= 500);
}

/**
 * Server state for the web app. Lists stay fresh for half a minute and are refetched when the
 * window regains focus; a transient failure is retried once after a short pause (not in tests,
 * where a failure should show at once). Data already shown stays on screen when a refetch fails.
 */
export function createQueryClient(): QueryClient {
  const testing = import.meta.env.MODE === 'test';
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, error) => !testing && failures < 1 && isTransient(error),
        retryDelay: 600,
      },
      mutations: { retry: false },
    },
  });
}

/**
 * The one client of the app, passed to each hook rather than provided through context: the layout
 * and the catalog's first paint then need none of the query library, which loads with the pages'
 * data parts (the catalog's first load stays within its script budget).
 */
export const queryClient = createQueryClient();
