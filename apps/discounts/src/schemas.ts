import { z } from 'zod';
import { categoryName, objectId, pagingQuery } from '@platform/service-kit';

export const CODE_PATTERN = /^[A-Z0-9-]{3,32}$/;
export const MAX_LINES = 50;

const category = categoryName();

export const AppliesTo = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('category'), category }),
  z.strictObject({ type: z.literal('items'), itemIds: z.array(objectId()).min(1).max(100) }),
]);

const code = z.string().trim().toUpperCase().regex(CODE_PATTERN, 'must be 3-32 letters, digits or "-"');
const timestamp = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
  .transform((text) => new Date(text));

/** The fields of a discount; `percentOff` and `amountOffCents` are nullable so a PATCH can switch kinds. */
const discountFields = {
  code: code.nullable(),
  description: z.string().trim().min(1, 'is required').max(200),
  percentOff: z.number().int('must be a whole percentage').min(1).max(100).nullable(),
  amountOffCents: z
    .number()
    .int('must be whole cents')
    .min(1, 'must be more than 0')
    .max(100_000_000)
    .nullable(),
  appliesTo: AppliesTo,
  startsAt: timestamp.nullable(),
  endsAt: timestamp.nullable(),
  active: z.boolean(),
};

export type DiscountInput = {
  code?: string | null | undefined;
  description: string;
  percentOff?: number | null | undefined;
  amountOffCents?: number | null | undefined;
  appliesTo: z.output<typeof AppliesTo>;
  startsAt?: Date | null | undefined;
  endsAt?: Date | null | undefined;
  active: boolean;
};

/** Rules that involve several fields; applied to a new discount and to the result of a PATCH. */
export function discountProblems(discount: DiscountInput): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const hasPercent = discount.percentOff !== undefined && discount.percentOff !== null;
  const hasAmount = discount.amountOffCents !== undefined && discount.amountOffCents !== null;
  if (hasPercent === hasAmount) {
    problems.push({
      path: 'percentOff',
      message: 'exactly one of percentOff and amountOffCents must be set',
    });
  }
  if (discount.startsAt && discount.endsAt && discount.startsAt.getTime() >= discount.endsAt.getTime()) {
    problems.push({ path: 'endsAt', message: 'must be after startsAt' });
  }
  return problems;
}

export const CreateDiscountBody = z
  .strictObject({
    ...discountFields,
    code: discountFields.code.optional(),
    percentOff: discountFields.percentOff.optional(),
    amountOffCents: discountFields.amountOffCents.optional(),
    startsAt: discountFields.startsAt.optional(),
    endsAt: discountFields.endsAt.optional(),
    active: discountFields.active.default(true),
  })
  .superRefine(
    (body, ctx) => {
      for (const problem of discountProblems(body))
        ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
    },
    // Only on fields that parsed: an unparseable date is still text here, not a Date to compare.
    { when: (payload) => payload.issues.length === 0 },
  )
  // The refinement is code; the OpenAPI document states the exactly-one rule in JSON Schema
  // (the start-before-end rule has no JSON Schema form and stays a 400 with details).
  .meta({
    anyOf: [
      {
        required: ['percentOff'],
        properties: { percentOff: { type: 'integer' }, amountOffCents: { type: 'null' } },
      },
      {
        required: ['amountOffCents'],
        properties: { amountOffCents: { type: 'integer' }, percentOff: { type: 'null' } },
      },
    ],
  });

export const UpdateDiscountBody = z
  .strictObject({
    code: discountFields.code.optional(),
    description: discountFields.description.optional(),
    percentOff: discountFields.percentOff.optional(),
    amountOffCents: discountFields.amountOffCents.optional(),
    appliesTo: discountFields.appliesTo.optional(),
    startsAt: discountFields.startsAt.optional(),
    endsAt: discountFields.endsAt.optional(),
    active: discountFields.active.optional(),
  })
  .refine(
    (body) => Object.values(body).some((value) => value !== undefined),
    'must change at least one field',
  )
  .meta({ minProperties: 1 });

export const QuoteBody = z.strictObject({
  lines: z
    .array(z.strictObject({ itemId: objectId(), quantity: z.number().int().min(1).max(100) }))
    .min(1, 'must have at least one line')
    .max(MAX_LINES, `must have at most ${MAX_LINES} lines`),
  // Any text is accepted here; a code that does not exist (or cannot) is a 422 INVALID_CODE.
  code: z.string().max(64).optional(),
});

export const Discount = z.object({
  id: z.string(),
  code: z.string().optional(),
  description: z.string(),
  percentOff: z.number().int().optional(),
  amountOffCents: z.number().int().optional(),
  appliesTo: AppliesTo,
  startsAt: z.iso.datetime().optional(),
  endsAt: z.iso.datetime().optional(),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const DiscountResponse = z.object({ discount: Discount });
export const DiscountList = z.object({ discounts: z.array(Discount) });

/** The admin list's query: closed, like every other input (docs/contract.md §8.2). */
export const DiscountListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  // A limit above 100 is served as 100, as in the items list.
  ...pagingQuery(),
});
export const DiscountPage = z.object({
  discounts: z.array(Discount),
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
});

export const QuoteResponse = z.object({
  lines: z.array(
    z.object({
      itemId: z.string(),
      name: z.string(),
      unitPriceCents: z.number().int(),
      quantity: z.number().int(),
      lineSubtotalCents: z.number().int(),
      discountCents: z.number().int(),
      lineTotalCents: z.number().int(),
    }),
  ),
  subtotalCents: z.number().int(),
  discountCents: z.number().int(),
  totalCents: z.number().int(),
  currency: z.string(),
  appliedDiscounts: z.array(
    z.object({
      id: z.string(),
      code: z.string().nullable(),
      description: z.string(),
      discountCents: z.number().int(),
    }),
  ),
});
