/** The hot paths measured, what each baseline does for them, and what a right answer looks like. */
import type { CaseId } from './case-ids';
import { SEARCH_QUERY } from './catalog';
import type { CaseRequest } from './load';

export type { CaseId } from './case-ids';
export { ERROR_CASE_IDS, HOT_PATH_CASE_IDS } from './case-ids';

export interface BenchCase {
  id: CaseId;
  /** The request as a reader would write it. */
  title: string;
  request: CaseRequest;
  /** Base URL of the service that answers, and the processes that do the work (for memory). */
  service: { url: string; processes: string[] };
  /** What the baseline does for this request (stated in the report). */
  baseline: string;
  /** Why a 2xx body is not the answer this case means to measure, or undefined when it is. */
  check: (body: unknown) => string | undefined;
  /**
   * The error status both sides must answer, for a case that measures the error path; its bodies
   * are not compared (the baseline has no error vocabulary of its own).
   */
  expectedStatus?: number;
}

export interface CaseContext {
  items: { url: string; process: string };
  auth: { url: string; process: string };
  discounts: { url: string; process: string };
  itemCount: number;
  /** Ids spread over the catalogue, used in turn by the get-by-id case. */
  itemIds: string[];
  /** The five items the quote prices. */
  quoteItemIds: string[];
  quoteCode: string;
  token: string;
  adminEmail: string;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const SAME_QUERY =
  'node:http + MongoDB driver: the same find (filter, sort by name then _id, skip, limit, whole documents) and count, the same JSON';

export function hotPathCases(context: CaseContext): BenchCase[] {
  const jsonHeaders = { accept: 'application/json' };
  const page = Math.min(20, context.itemCount);
  const quoteBody = {
    lines: context.quoteItemIds.map((itemId, i) => ({ itemId, quantity: i + 1 })),
    code: context.quoteCode,
  };
  return [
    {
      id: 'list',
      title: 'GET /api/items?limit=20',
      request: { method: 'GET', paths: ['/api/items?limit=20'], headers: jsonHeaders },
      service: { url: context.items.url, processes: [context.items.process] },
      baseline: SAME_QUERY,
      check: (body) => {
        const res = asObject(body);
        const found = asArray(res?.items);
        if (found.length !== page) return `expected a page of ${page} items, got ${found.length}`;
        if (res?.total !== context.itemCount)
          return `expected total ${context.itemCount}, got ${String(res?.total)}`;
        return undefined;
      },
    },
    {
      id: 'search',
      title: `GET /api/items?q=${encodeURIComponent(SEARCH_QUERY)}&limit=20`,
      request: {
        method: 'GET',
        paths: [`/api/items?q=${encodeURIComponent(SEARCH_QUERY)}&limit=20`],
        headers: jsonHeaders,
      },
      service: { url: context.items.url, processes: [context.items.process] },
      baseline: `${SAME_QUERY} (the search terms from the items service's own function)`,
      check: (body) => {
        const found = asArray(asObject(body)?.items);
        if (found.length === 0) return `"${SEARCH_QUERY}" matched nothing`;
        const words = SEARCH_QUERY.split(' ');
        const stray = found.find((item) => {
          const name = asObject(item)?.name;
          return typeof name !== 'string' || !words.every((word) => name.toLowerCase().includes(word));
        });
        return stray ? `"${SEARCH_QUERY}" matched ${JSON.stringify(stray)}` : undefined;
      },
    },
    {
      id: 'item',
      title: 'GET /api/items/:id',
      request: {
        method: 'GET',
        paths: context.itemIds.map((id) => `/api/items/${id}`),
        headers: jsonHeaders,
      },
      service: { url: context.items.url, processes: [context.items.process] },
      baseline: 'node:http + MongoDB driver: the same findOne by _id, the same JSON',
      check: (body) => {
        const id = asObject(asObject(body)?.item)?.id;
        return id === context.itemIds[0]
          ? undefined
          : `expected item ${context.itemIds[0]}, got ${String(id)}`;
      },
    },
    {
      id: 'me',
      title: 'GET /api/auth/me (Bearer)',
      request: {
        method: 'GET',
        paths: ['/api/auth/me'],
        headers: { ...jsonHeaders, authorization: `Bearer ${context.token}` },
      },
      service: { url: context.auth.url, processes: [context.auth.process] },
      baseline:
        'node:http + node:crypto + MongoDB driver: verifies the same ES256 token (signature, algorithm, issuer, audience, expiry) and reads the user by _id',
      check: (body) => {
        const user = asObject(asObject(body)?.user);
        if (user?.email !== context.adminEmail) return `expected the user ${context.adminEmail}`;
        return asArray(user.roles).includes('admin') ? undefined : 'the admin has no admin role';
      },
    },
    {
      id: 'quote',
      title: `POST /api/discounts/quote (5 lines, code ${context.quoteCode})`,
      request: {
        method: 'POST',
        paths: ['/api/discounts/quote'],
        headers: { ...jsonHeaders, 'content-type': 'application/json' },
        body: JSON.stringify(quoteBody),
      },
      service: { url: context.discounts.url, processes: [context.discounts.process, context.items.process] },
      baseline:
        "node:http + MongoDB driver: the quote's database work in the service's order (the code, the 5 items by _id, the automatic discounts) and the service's own pricing function, in one process; the service also calls items over HTTP, so the ratio includes the cost of that hop",
      check: (body) => {
        const quote = asObject(body);
        if (asArray(quote?.lines).length !== quoteBody.lines.length) return 'expected 5 priced lines';
        const applied = asArray(quote?.appliedDiscounts).map((discount) => asObject(discount)?.code);
        return applied.includes(context.quoteCode)
          ? undefined
          : `the code ${context.quoteCode} was not applied`;
      },
    },
  ];
}

/** An id no item has: valid, so the request passes validation and the lookup, and finds nothing. */
export const MISSING_ITEM_ID = 'ffffffffffffffffffffffff';

const errorCode = (body: unknown) => asObject(asObject(body)?.error)?.code;

/** The error path: a request refused after the database lookup (404) and one refused before it (401). */
export function errorCases(context: CaseContext): BenchCase[] {
  const jsonHeaders = { accept: 'application/json' };
  return [
    {
      id: 'item-missing',
      title: 'GET /api/items/:id of no item (404)',
      request: { method: 'GET', paths: [`/api/items/${MISSING_ITEM_ID}`], headers: jsonHeaders },
      service: { url: context.items.url, processes: [context.items.process] },
      baseline: 'node:http + MongoDB driver: the same findOne by _id, finding nothing, and a 404',
      expectedStatus: 404,
      check: (body) =>
        errorCode(body) === 'ITEM_NOT_FOUND'
          ? undefined
          : `expected ITEM_NOT_FOUND, got ${JSON.stringify(body)}`,
    },
    {
      id: 'me-no-token',
      title: 'GET /api/auth/me without a token (401)',
      request: { method: 'GET', paths: ['/api/auth/me'], headers: jsonHeaders },
      service: { url: context.auth.url, processes: [context.auth.process] },
      baseline: 'node:http: no Authorization header, a 401',
      expectedStatus: 401,
      check: (body) =>
        errorCode(body) === 'UNAUTHORIZED' ? undefined : `expected UNAUTHORIZED, got ${JSON.stringify(body)}`,
    },
  ];
}

/** The cases named in `ids` (all of them when undefined), in the order of `cases`. */
export function selectCases(cases: BenchCase[], ids: readonly string[] | undefined): BenchCase[] {
  return ids === undefined ? cases : cases.filter((benchCase) => ids.includes(benchCase.id));
}
