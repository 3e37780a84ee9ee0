import type { Model, QueryFilter } from 'mongoose';
import { Types } from 'mongoose';
import type { TokenVerifier } from '@platform/service-kit';
import {
  ApiRouter,
  badRequest,
  conflict,
  findPage,
  idParams,
  isDuplicateKeyError,
  notFound,
  requestIdOf,
  requireAuth,
  requireRole,
  unprocessable,
} from '@platform/service-kit';
import type { ItemsClient } from '../items-client';
import type { Discount, DiscountDocument } from '../models/discount';
import { codeKeyFor, toPublicDiscount } from '../models/discount';
import { toRule } from '../rules';
import type { DiscountRule } from '../pricing';
import { inForce, priceQuote } from '../pricing';
import type { DiscountInput } from '../schemas';
import { searchFilter, searchWords } from '../search';
import {
  CODE_PATTERN,
  CreateDiscountBody,
  DiscountList,
  DiscountListQuery,
  DiscountPage,
  DiscountResponse,
  discountProblems,
  QuoteBody,
  QuoteResponse,
  UpdateDiscountBody,
} from '../schemas';

/** The admin list's order: newest first, then by id, so pages never overlap or skip a discount. */
export const LIST_SORT = { createdAt: -1, _id: -1 } as const;

export interface DiscountsRouteDeps {
  discounts: Model<Discount>;
  items: ItemsClient;
  verifier: TokenVerifier;
  now: () => Date;
}

const discountNotFound = () => notFound('No discount with this id', 'DISCOUNT_NOT_FOUND');
const codeTaken = () => conflict('Another discount already uses this code', 'CODE_TAKEN');
const invalidCode = () => unprocessable('This discount code is not valid', 'INVALID_CODE');

/** Splits a validated input into the fields to set and the optional fields to remove. */
function toUpdate(input: DiscountInput, id: Types.ObjectId) {
  const set: Record<string, unknown> = {
    code: input.code ?? null,
    codeKey: codeKeyFor(input.code ?? null, id),
    description: input.description,
    appliesTo: input.appliesTo,
    active: input.active,
  };
  const unset: Record<string, ''> = {};
  for (const field of ['percentOff', 'amountOffCents', 'startsAt', 'endsAt'] as const) {
    const value = input[field];
    if (value === undefined || value === null) unset[field] = '';
    else set[field] = value;
  }
  return { set, unset };
}

function asInput(discount: DiscountDocument): DiscountInput {
  return {
    code: discount.code,
    description: discount.description,
    percentOff: discount.percentOff ?? null,
    amountOffCents: discount.amountOffCents ?? null,
    appliesTo: toRule(discount).appliesTo,
    startsAt: discount.startsAt ?? null,
    endsAt: discount.endsAt ?? null,
    active: discount.active,
  };
}

export function discountsRoutes({ discounts, items, verifier, now }: DiscountsRouteDeps): ApiRouter {
  const adminOnly = [requireAuth(verifier), requireRole('admin')];
  const adminResponses = { 403: { description: 'FORBIDDEN: the admin role is required' } };

  // Few discounts exist at once; the date window is checked here rather than in a query.
  const automaticInForce = async (at: Date) => {
    const candidates = await discounts
      .find({ code: null, active: true })
      .sort({ createdAt: 1, _id: 1 })
      .lean();
    return candidates.filter((discount) => inForce(toRule(discount), at));
  };

  return new ApiRouter('/api/discounts', {
    title: 'discounts',
    version: '1.0.0',
    description: 'Discount rules and price quotes. The quote and the automatic discounts are public.',
  })
    .route({
      method: 'get',
      path: '/active',
      operationId: 'listActiveDiscounts',
      summary: 'Automatic discounts in force now (discounts that need a code are never listed)',
      responses: { 200: { description: 'Discounts in force', schema: DiscountList } },
      handler: async ({ res }) => {
        res.json({ discounts: (await automaticInForce(now())).map(toPublicDiscount) });
      },
    })
    .route({
      method: 'get',
      path: '/',
      operationId: 'listDiscounts',
      summary: 'Every discount, newest first, in pages; search by code and description (admin)',
      description:
        '`q` is plain text: every word must start a word of the code or of the description (case ' +
        'ignored). Results are ordered newest first, then by id, so pages never overlap.',
      security: 'bearer',
      before: adminOnly,
      query: DiscountListQuery,
      responses: { 200: { description: 'A page of discounts', schema: DiscountPage }, ...adminResponses },
      handler: async ({ query, res }) => {
        let filter: QueryFilter<Discount> = {};
        if (query.q !== undefined && query.q.trim() !== '') {
          const words = searchWords(query.q);
          // Text with no letters or digits cannot match anything, as in the items list.
          if (words.length === 0) {
            res.json({ discounts: [], page: query.page, limit: query.limit, total: 0 });
            return;
          }
          filter = searchFilter(words);
        }
        const { documents, total } = await findPage(discounts, filter, LIST_SORT, query);
        res.json({ discounts: documents.map(toPublicDiscount), page: query.page, limit: query.limit, total });
      },
    })
    .route({
      method: 'post',
      path: '/',
      operationId: 'createDiscount',
      summary: 'Create a discount (admin)',
      description:
        'Exactly one of `percentOff` (whole percent, 1-100) and `amountOffCents` (per unit). Codes are upper-cased.',
      security: 'bearer',
      before: adminOnly,
      body: CreateDiscountBody,
      responses: {
        201: { description: 'Created', schema: DiscountResponse },
        409: { description: 'CODE_TAKEN' },
        ...adminResponses,
      },
      handler: async ({ body, res }) => {
        const id = new Types.ObjectId();
        const { set } = toUpdate(body, id);
        try {
          const discount = await discounts.create({ _id: id, ...set });
          res.status(201).json({ discount: toPublicDiscount(discount) });
        } catch (error) {
          if (isDuplicateKeyError(error)) throw codeTaken();
          throw error;
        }
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      operationId: 'updateDiscount',
      summary: 'Change a discount (admin)',
      description:
        'Set `percentOff` or `amountOffCents` to null to switch kinds; the result must still be valid.',
      security: 'bearer',
      before: adminOnly,
      params: idParams,
      body: UpdateDiscountBody,
      responses: {
        200: { description: 'Updated', schema: DiscountResponse },
        404: { description: 'DISCOUNT_NOT_FOUND' },
        409: { description: 'CODE_TAKEN' },
        ...adminResponses,
      },
      handler: async ({ params, body, res }) => {
        const existing = await discounts.findById(params.id);
        if (!existing) throw discountNotFound();
        const changes = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
        const merged: DiscountInput = { ...asInput(existing), ...changes };
        const problems = discountProblems(merged);
        if (problems.length > 0) {
          throw badRequest(
            'The discount would be invalid',
            problems.map((problem) => ({ location: 'body', ...problem })),
          );
        }
        const { set, unset } = toUpdate(merged, existing._id);
        try {
          const updated = await discounts.findByIdAndUpdate(
            existing._id,
            { $set: set, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) },
            { returnDocument: 'after' },
          );
          if (!updated) throw discountNotFound();
          res.json({ discount: toPublicDiscount(updated) });
        } catch (error) {
          if (isDuplicateKeyError(error)) throw codeTaken();
          throw error;
        }
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      operationId: 'deleteDiscount',
      summary: 'Delete a discount (admin)',
      security: 'bearer',
      before: adminOnly,
      params: idParams,
      responses: {
        204: { description: 'Deleted' },
        404: { description: 'DISCOUNT_NOT_FOUND' },
        ...adminResponses,
      },
      handler: async ({ params, res }) => {
        const { deletedCount } = await discounts.deleteOne({ _id: params.id });
        if (deletedCount === 0) throw discountNotFound();
        res.status(204).end();
      },
    })
    .route({
      method: 'post',
      path: '/quote',
      operationId: 'quote',
      summary: 'Price a cart: current prices from items, the best discount per line',
      body: QuoteBody,
      responses: {
        200: { description: 'The quote', schema: QuoteResponse },
        422: { description: 'UNKNOWN_ITEM (details.itemIds lists them), INVALID_CODE or MIXED_CURRENCIES' },
        503: { description: 'UPSTREAM_UNAVAILABLE: the items service is down or too slow' },
      },
      handler: async ({ body, res }) => {
        const at = now();
        let codeRule: DiscountRule | undefined;
        // A blank code (an empty form field) means no code.
        const code = body.code?.trim().toUpperCase() ?? '';
        if (code !== '') {
          if (!CODE_PATTERN.test(code)) throw invalidCode();
          const found = await discounts.findOne({ code }).lean();
          if (!found || !inForce(toRule(found), at)) throw invalidCode();
          codeRule = toRule(found);
        }
        const ids = [...new Set(body.lines.map((line) => line.itemId))];
        const priced = await items.byIds(ids, requestIdOf(res));
        const byId = new Map(priced.map((item) => [item.id, item]));
        const unknown = ids.filter((id) => !byId.has(id));
        if (unknown.length > 0) {
          throw unprocessable('Some items do not exist', 'UNKNOWN_ITEM', { itemIds: unknown });
        }
        const currencies = [...new Set(priced.map((item) => item.currency))];
        if (currencies.length > 1) {
          throw unprocessable('Items in one quote must share a currency', 'MIXED_CURRENCIES', { currencies });
        }
        const rules = [...(await automaticInForce(at)).map(toRule), ...(codeRule ? [codeRule] : [])];
        const lines = body.lines.map((line) => ({ item: byId.get(line.itemId)!, quantity: line.quantity }));
        res.json(priceQuote(lines, rules, currencies[0]!));
      },
    });
}
