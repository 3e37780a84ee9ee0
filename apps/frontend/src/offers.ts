import type { Discount } from './api/types';

/** Whether a discount covers an item (docs/contract.md §3.5, `appliesTo`). */
export function covers(discount: Discount, item: { id: string; category: string }): boolean {
  switch (discount.appliesTo.type) {
    case 'all':
      return true;
    case 'category':
      return discount.appliesTo.category === item.category;
    case 'items':
      return discount.appliesTo.itemIds.includes(item.id);
  }
}

/** What a discount takes off one unit: a percentage rounded half up, or the amount, never more than the price. */
export function unitDiscount(discount: Discount, priceCents: number): number {
  if (discount.percentOff !== undefined) return Math.round((priceCents * discount.percentOff) / 100);
  return Math.min(discount.amountOffCents ?? 0, priceCents);
}

/**
 * The automatic discount an item gets on its own, as a quote would give it: the largest of those
 * in force that cover it, the earliest on a tie (the list is oldest first).
 */
export function bestOffer(
  discounts: Discount[] | undefined,
  item: { id: string; category: string; priceCents: number },
): { discount: Discount; priceCents: number } | undefined {
  let best: { discount: Discount; off: number } | undefined;
  for (const discount of discounts ?? []) {
    if (!covers(discount, item)) continue;
    const off = unitDiscount(discount, item.priceCents);
    if (off > 0 && (!best || off > best.off)) best = { discount, off };
  }
  return best && { discount: best.discount, priceCents: item.priceCents - best.off };
}

export function discountScope(discount: Discount): string {
  switch (discount.appliesTo.type) {
    case 'all':
      return 'on everything';
    case 'category':
      return `on ${discount.appliesTo.category}`;
    case 'items':
      return discount.appliesTo.itemIds.length === 1 ? 'on one item' : 'on selected items';
  }
}
