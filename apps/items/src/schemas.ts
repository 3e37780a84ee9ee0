import { z } from 'zod';
import { categoryName, currencyCode, objectId, pagingQuery } from '@platform/service-kit';

export const MAX_IDS = 100;
/**
 * An item's picture: a same-origin path under /images/, path segments of lower-case letters,
 * digits, "_" and "-" (each starting with a letter or digit), and an image file extension.
 */
export const IMAGE_PATTERN =
  /^\/images\/[a-z0-9][a-z0-9_-]*(?:\/[a-z0-9][a-z0-9_-]*)*\.(?:svg|png|webp|jpg)$/;
export const MAX_IMAGE_LENGTH = 200;

const name = z.string().trim().min(1, 'is required').max(120);
const category = categoryName();
const priceCents = z.number().int('must be whole cents').min(0).max(100_000_000);
const stock = z.number().int().min(0).max(1_000_000_000);
// Not trimmed: the OpenAPI document's pattern is exactly what is accepted.
const image = z
  .string()
  .max(MAX_IMAGE_LENGTH)
  .regex(IMAGE_PATTERN, 'must be a path such as /images/items/desk-lamp.svg (svg, png, webp or jpg)');

export const CreateItemBody = z.strictObject({
  name,
  description: z.string().trim().max(2000).default(''),
  priceCents,
  currency: currencyCode(),
  category,
  stock: stock.default(0),
  // null, like leaving it out, means no picture.
  image: image.nullable().optional(),
});

export const UpdateItemBody = z
  .strictObject({
    name: name.optional(),
    description: z.string().trim().max(2000).optional(),
    priceCents: priceCents.optional(),
    currency: currencyCode().optional(),
    category: category.optional(),
    stock: stock.optional(),
    // null removes the picture.
    image: image.nullable().optional(),
  })
  .refine(
    (body) => Object.values(body).some((value) => value !== undefined),
    'must change at least one field',
  )
  .meta({ minProperties: 1 });

export const ListQuery = z
  .strictObject({
    q: z.string().max(200).optional(),
    category: category.optional(),
    // A limit above 100 is served as 100, as docs/contract.md §3.4 says.
    ...pagingQuery(),
    ids: z
      .string()
      .transform((text) => text.split(',').map((id) => id.trim()))
      .pipe(z.array(objectId()).min(1).max(MAX_IDS, `must list at most ${MAX_IDS} ids`))
      .optional(),
  })
  .refine(
    (query) => query.ids === undefined || (query.q === undefined && query.category === undefined),
    'ids cannot be combined with q or category',
  );

export const Item = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  priceCents: z.number().int(),
  currency: z.string(),
  category: z.string(),
  stock: z.number().int(),
  image: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const ItemResponse = z.object({ item: Item });
export const ItemPage = z.object({
  items: z.array(Item),
  page: z.number().int().optional(),
  limit: z.number().int().optional(),
  total: z.number().int().optional(),
});
export const Categories = z.object({ categories: z.array(z.string()) });
