import type { Model, QueryFilter } from 'mongoose';
import { z } from 'zod';
import { queryInt } from './schemas';

/** Paging of every list the API pages (docs/contract.md §3.4, §3.5). */
export const MAX_PAGE = 100_000;
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;

/**
 * `limit` of a list query: a whole number from 1. Larger limits are capped rather than refused
 * (after the integer check, so the OpenAPI document states exactly what is accepted: any safe
 * integer from 1).
 */
export const queryLimit = () =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .overwrite((limit) => Math.min(limit, MAX_LIMIT)),
    )
    .default(DEFAULT_LIMIT);

/** The `page` (1-based, 1-100,000) and `limit` fields of a list query, to spread into its schema. */
export const pagingQuery = () => ({
  page: queryInt(1, MAX_PAGE).default(1),
  limit: queryLimit(),
});

export interface Paging {
  page: number;
  limit: number;
}

/**
 * One page of the documents matching `filter`, in `sort` order, and how many match in all. The
 * sort must end in a unique field (`_id`) so that pages never overlap or skip a document.
 */
export async function findPage<T>(
  model: Model<T>,
  filter: QueryFilter<T>,
  sort: Record<string, 1 | -1>,
  { page, limit }: Paging,
) {
  const [documents, total] = await Promise.all([
    model
      .find(filter)
      .sort(sort)
      .skip((page - 1) * limit)
      .limit(limit)
      .lean(),
    model.countDocuments(filter),
  ]);
  return { documents, total };
}
