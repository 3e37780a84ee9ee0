/**
 * Quote pricing, free of I/O so every rule is table-testable. All money is integer cents.
 *
 * For each line the applicable discounts are the automatic ones in force plus the code's (if
 * any); the line gets the single largest (no stacking). A percentage is rounded half up per
 * line; an amount comes off each unit and never exceeds the unit price. Nothing goes below 0.
 */

export type AppliesTo =
  { type: 'all' } | { type: 'category'; category: string } | { type: 'items'; itemIds: string[] };

export interface DiscountRule {
  id: string;
  code: string | null;
  description: string;
  percentOff?: number | undefined;
  amountOffCents?: number | undefined;
  appliesTo: AppliesTo;
  startsAt?: Date | undefined;
  endsAt?: Date | undefined;
  active: boolean;
}

export interface PricedItem {
  id: string;
  name: string;
  priceCents: number;
  currency: string;
  category: string;
}

export interface QuoteLine {
  itemId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
  lineSubtotalCents: number;
  discountCents: number;
  lineTotalCents: number;
}

export interface AppliedDiscount {
  id: string;
  code: string | null;
  description: string;
  discountCents: number;
}

export interface Quote {
  lines: QuoteLine[];
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  currency: string;
  appliedDiscounts: AppliedDiscount[];
}

/** In force at `now`: active, started (inclusive) and not yet ended (exclusive). */
export function inForce(rule: Pick<DiscountRule, 'active' | 'startsAt' | 'endsAt'>, now: Date): boolean {
  if (!rule.active) return false;
  if (rule.startsAt && now.getTime() < rule.startsAt.getTime()) return false;
  if (rule.endsAt && now.getTime() >= rule.endsAt.getTime()) return false;
  return true;
}

export function appliesToItem(appliesTo: AppliesTo, item: PricedItem): boolean {
  switch (appliesTo.type) {
    case 'all':
      return true;
    case 'category':
      return appliesTo.category === item.category;
    case 'items':
      return appliesTo.itemIds.includes(item.id);
  }
}

/** round_half_up(value / divisor) for non-negative integers, without floating point. */
export function divideRoundingHalfUp(value: number, divisor: number): number {
  return Math.floor((2 * value + divisor) / (2 * divisor));
}

/** What one rule takes off one line, before the no-stacking choice. */
export function lineDiscount(rule: DiscountRule, unitPriceCents: number, quantity: number): number {
  const subtotal = unitPriceCents * quantity;
  const raw =
    rule.percentOff !== undefined
      ? divideRoundingHalfUp(subtotal * rule.percentOff, 100)
      : Math.min(rule.amountOffCents ?? 0, unitPriceCents) * quantity;
  return Math.max(0, Math.min(raw, subtotal));
}

/**
 * Prices the lines. `rules` are the candidate discounts (automatic ones in force, then the code's),
 * already filtered to those in force; on a tie the earlier rule wins.
 */
export function priceQuote(
  lines: { item: PricedItem; quantity: number }[],
  rules: DiscountRule[],
  currency: string,
): Quote {
  const credited = new Map<string, number>();
  const priced = lines.map(({ item, quantity }) => {
    const lineSubtotalCents = item.priceCents * quantity;
    let best: { rule: DiscountRule; cents: number } | undefined;
    for (const rule of rules) {
      if (!appliesToItem(rule.appliesTo, item)) continue;
      const cents = lineDiscount(rule, item.priceCents, quantity);
      if (cents > (best?.cents ?? 0)) best = { rule, cents };
    }
    const discountCents = best?.cents ?? 0;
    if (best) credited.set(best.rule.id, (credited.get(best.rule.id) ?? 0) + discountCents);
    return {
      itemId: item.id,
      name: item.name,
      unitPriceCents: item.priceCents,
      quantity,
      lineSubtotalCents,
      discountCents,
      lineTotalCents: lineSubtotalCents - discountCents,
    };
  });
  const subtotalCents = priced.reduce((sum, line) => sum + line.lineSubtotalCents, 0);
  const discountCents = priced.reduce((sum, line) => sum + line.discountCents, 0);
  return {
    lines: priced,
    subtotalCents,
    discountCents,
    totalCents: Math.max(0, subtotalCents - discountCents),
    currency,
    appliedDiscounts: rules
      .filter((rule) => credited.has(rule.id))
      .map((rule) => ({
        id: rule.id,
        code: rule.code,
        description: rule.description,
        discountCents: credited.get(rule.id) ?? 0,
      })),
  };
}
