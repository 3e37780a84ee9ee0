import type { Model, QueryFilter } from 'mongoose';
import type { TokenVerifier } from '@platform/service-kit';
import { ApiRouter, findPage, idParams, notFound, requireAuth, requireRole } from '@platform/service-kit';
import type { Item } from '../models/item';
import { withSearchTerms } from '../models/item';
import { toPublicItem } from '../public-item';
import { CreateItemBody, ItemPage, ItemResponse, Categories, ListQuery, UpdateItemBody } from '../schemas';
import { queryTerms } from '../search';

export const LIST_SORT = { name: 1, _id: 1 } as const;
const itemNotFound = () => notFound('No item with this id', 'ITEM_NOT_FOUND');

export function itemsRoutes({ items, verifier }: { items: Model<Item>; verifier: TokenVerifier }): ApiRouter {
  const adminOnly = [requireAuth(verifier), requireRole('admin')];

  return new ApiRouter('/api/items', {
    title: 'items',
    version: '1.0.0',
    description: 'The item catalog. Reads are public; changes need an admin access token.',
  })
    .route({
      method: 'get',
      path: '/',
      operationId: 'listItems',
      summary: 'List items (search, category, pages), or fetch up to 100 by id',
      description:
        '`q` is plain text: every word must start a word of the item name (case and accents ignored). ' +
        'Results are ordered by name, then id, so pages never overlap. With `ids`, returns those items ' +
        '(unknown ids are left out) in the order given, without paging.',
      query: ListQuery,
      responses: { 200: { description: 'A page of items, or the items asked for', schema: ItemPage } },
      handler: async ({ query, res }) => {
        if (query.ids) {
          const found = await items.find({ _id: { $in: query.ids } }).lean();
          const byId = new Map(found.map((item) => [item._id.toString(), item]));
          const ordered = [...new Set(query.ids)].flatMap((id) => {
            const item = byId.get(id);
            return item ? [toPublicItem(item)] : [];
          });
          res.json({ items: ordered });
          return;
        }
        const filter: QueryFilter<Item> = {};
        if (query.category) filter.category = query.category;
        if (query.q !== undefined && query.q.trim() !== '') {
          const terms = queryTerms(query.q);
          // Text with no letters or digits cannot match any name.
          if (terms.length === 0) {
            res.json({ items: [], page: query.page, limit: query.limit, total: 0 });
            return;
          }
          filter.searchTerms = { $all: terms };
        }
        const { documents, total } = await findPage(items, filter, LIST_SORT, query);
        res.json({ items: documents.map(toPublicItem), page: query.page, limit: query.limit, total });
      },
    })
    .route({
      method: 'get',
      path: '/categories',
      operationId: 'listCategories',
      summary: 'Every category that has items, alphabetically',
      responses: { 200: { description: 'Categories', schema: Categories } },
      handler: async ({ res }) => {
        const categories = await items.distinct('category');
        res.json({ categories: categories.sort((a, b) => a.localeCompare(b)) });
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      operationId: 'getItem',
      summary: 'One item',
      params: idParams,
      responses: {
        200: { description: 'The item', schema: ItemResponse },
        404: { description: 'ITEM_NOT_FOUND' },
      },
      handler: async ({ params, res }) => {
        const item = await items.findById(params.id).lean();
        if (!item) throw itemNotFound();
        res.json({ item: toPublicItem(item) });
      },
    })
    .route({
      method: 'post',
      path: '/',
      operationId: 'createItem',
      summary: 'Create an item (admin)',
      security: 'bearer',
      before: adminOnly,
      body: CreateItemBody,
      responses: {
        201: { description: 'Created', schema: ItemResponse },
        403: { description: 'FORBIDDEN: the admin role is required' },
      },
      handler: async ({ body, res }) => {
        const { image, ...fields } = body;
        const item = await items.create(withSearchTerms({ ...fields, ...(image ? { image } : {}) }));
        res.status(201).json({ item: toPublicItem(item) });
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      operationId: 'updateItem',
      summary: 'Change some fields of an item (admin)',
      description: 'Fields left out keep their value; `image: null` removes the picture.',
      security: 'bearer',
      before: adminOnly,
      params: idParams,
      body: UpdateItemBody,
      responses: {
        200: { description: 'Updated', schema: ItemResponse },
        403: { description: 'FORBIDDEN: the admin role is required' },
        404: { description: 'ITEM_NOT_FOUND' },
      },
      handler: async ({ params, body, res }) => {
        const changes = Object.fromEntries(
          Object.entries(body).filter(([, value]) => value !== undefined && value !== null),
        );
        // image: null removes the picture (the one field an item can be without).
        const removed = body.image === null ? { $unset: { image: '' } } : {};
        const item = await items.findByIdAndUpdate(
          params.id,
          { $set: withSearchTerms(changes), ...removed },
          { returnDocument: 'after' },
        );
        if (!item) throw itemNotFound();
        res.json({ item: toPublicItem(item) });
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      operationId: 'deleteItem',
      summary: 'Delete an item (admin)',
      security: 'bearer',
      before: adminOnly,
      params: idParams,
      responses: {
        204: { description: 'Deleted' },
        403: { description: 'FORBIDDEN: the admin role is required' },
        404: { description: 'ITEM_NOT_FOUND' },
      },
      handler: async ({ params, res }) => {
        const { deletedCount } = await items.deleteOne({ _id: params.id });
        if (deletedCount === 0) throw itemNotFound();
        res.status(204).end();
      },
    });
}
