import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Discount, Item, ItemPage } from '../api/types';
import { queryClient } from './query-client';

/** The page of items a list query asks for. */
export interface ItemQuery {
  q?: string;
  category?: string;
  page: number;
  limit: number;
}

/** A page of discounts: `page`, `limit` and `total` when the service pages the list itself. */
export interface DiscountPage {
  discounts: Discount[];
  page?: number;
  limit?: number;
  total?: number;
}

export const queryKeys = {
  items: (query: ItemQuery) => ['items', 'list', query] as const,
  allItems: ['items'] as const,
  item: (id: string) => ['items', 'one', id] as const,
  categories: ['items', 'categories'] as const,
  activeDiscounts: ['discounts', 'active'] as const,
  discounts: (query: { q: string; page: number; limit: number }) => ['discounts', 'list', query] as const,
  allDiscounts: ['discounts'] as const,
};

function search(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  return params.toString();
}

/** One page of the catalog; the previous page stays on screen while the next one loads. */
export function useItems(query: ItemQuery) {
  return useQuery(
    {
      queryKey: queryKeys.items(query),
      queryFn: () => api.get<ItemPage>(`/api/items?${search({ ...query })}`),
      placeholderData: keepPreviousData,
    },
    queryClient,
  );
}

export function useItem(id: string) {
  return useQuery(
    {
      queryKey: queryKeys.item(id),
      queryFn: () => api.get<{ item: Item }>(`/api/items/${encodeURIComponent(id)}`),
    },
    queryClient,
  );
}

export function useCategories() {
  return useQuery(
    {
      queryKey: queryKeys.categories,
      queryFn: () => api.get<{ categories: string[] }>('/api/items/categories'),
      staleTime: 5 * 60_000,
    },
    queryClient,
  );
}

export function useActiveDiscounts() {
  return useQuery(
    {
      queryKey: queryKeys.activeDiscounts,
      queryFn: () => api.get<{ discounts: Discount[] }>('/api/discounts/active'),
    },
    queryClient,
  );
}

/**
 * One page of every discount, for the admin. The service pages and searches the list when it
 * answers with `total`; an answer without it is the whole list, searched and paged here.
 */
export function useDiscounts(query: { q: string; page: number; limit: number }) {
  return useQuery(
    {
      queryKey: queryKeys.discounts(query),
      queryFn: async () => {
        const answer = await api.get<DiscountPage>(`/api/discounts?${search({ ...query })}`);
        if (answer.total !== undefined) return answer as Required<DiscountPage>;
        const words = query.q.toLowerCase().split(/\s+/).filter(Boolean);
        const matching = answer.discounts.filter((discount) => {
          const text = `${discount.code ?? ''} ${discount.description}`.toLowerCase();
          return words.every((word) => text.includes(word));
        });
        const start = (query.page - 1) * query.limit;
        return {
          discounts: matching.slice(start, start + query.limit),
          page: query.page,
          limit: query.limit,
          total: matching.length,
        };
      },
      placeholderData: keepPreviousData,
    },
    queryClient,
  );
}
