import type { Discount } from './models/discount';
import type { AppliesTo, DiscountRule } from './pricing';

// Free of mongoose, so that a client of the stored documents (the benchmark's baseline) reads a
// discount exactly as the service does.

export function toRule(discount: Discount & { _id: { toString(): string } }): DiscountRule {
  return {
    id: discount._id.toString(),
    // Documents written without the field (seeds, older versions) read as automatic.
    code: discount.code ?? null,
    description: discount.description,
    percentOff: discount.percentOff ?? undefined,
    amountOffCents: discount.amountOffCents ?? undefined,
    appliesTo: normaliseAppliesTo(discount.appliesTo),
    startsAt: discount.startsAt,
    endsAt: discount.endsAt,
    active: discount.active,
  };
}

export function normaliseAppliesTo(appliesTo: AppliesTo): AppliesTo {
  switch (appliesTo.type) {
    case 'all':
      return { type: 'all' };
    case 'category':
      return { type: 'category', category: appliesTo.category };
    case 'items':
      return { type: 'items', itemIds: [...appliesTo.itemIds] };
  }
}
