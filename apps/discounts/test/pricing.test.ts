import type { AppliesTo, DiscountRule, PricedItem } from '../src/pricing';
import { divideRoundingHalfUp, inForce, lineDiscount, priceQuote } from '../src/pricing';

const item = (id: string, priceCents: number, category = 'kitchen'): PricedItem => ({
  id,
  name: `Item ${id}`,
  priceCents,
  currency: 'EUR',
  category,
});
let nextId = 0;
const rule = (fields: Partial<DiscountRule>): DiscountRule => ({
  id: `rule-${++nextId}`,
  code: null,
  description: 'test rule',
  appliesTo: { type: 'all' },
  active: true,
  ...fields,
});

describe('divideRoundingHalfUp', () => {
  it.each([
    [0, 100, 0],
    [49, 100, 0],
    [50, 100, 1],
    [149, 100, 1],
    [150, 100, 2],
    [250, 100, 3],
    [99_999_999_950, 100, 1_000_000_000],
  ])('%d / %d -> %d', (value, divisor, expected) =>
    expect(divideRoundingHalfUp(value, divisor)).toBe(expected),
  );
});

describe('lineDiscount', () => {
  it.each([
    // [description, rule, unit price, quantity, expected cents]
    ['10% of 1 x 999 = 99.9 -> 100', { percentOff: 10 }, 999, 1, 100],
    ['10% of 1 x 995 = 99.5 -> 100 (half up)', { percentOff: 10 }, 995, 1, 100],
    ['10% of 1 x 994 = 99.4 -> 99', { percentOff: 10 }, 994, 1, 99],
    ['15% of 3 x 333 = 149.85 -> 150 (per line, not per unit)', { percentOff: 15 }, 333, 3, 150],
    ['50% of 1 x 1 = 0.5 -> 1', { percentOff: 50 }, 1, 1, 1],
    ['100% takes the whole line', { percentOff: 100 }, 1234, 2, 2468],
    ['amount comes off each unit', { amountOffCents: 200 }, 1000, 3, 600],
    ['amount never exceeds the unit price', { amountOffCents: 5000 }, 1000, 2, 2000],
    ['anything off a free item is 0', { percentOff: 50 }, 0, 5, 0],
  ])('%s', (_description, fields, unitPrice, quantity, expected) => {
    expect(lineDiscount(rule(fields), unitPrice, quantity)).toBe(expected);
  });
});

describe('inForce', () => {
  const startsAt = new Date('2026-06-01T00:00:00Z');
  const endsAt = new Date('2026-07-01T00:00:00Z');
  it.each([
    ['one millisecond before the start', '2026-05-31T23:59:59.999Z', false],
    ['exactly at the start (inclusive)', '2026-06-01T00:00:00.000Z', true],
    ['in the middle', '2026-06-15T12:00:00.000Z', true],
    ['one millisecond before the end', '2026-06-30T23:59:59.999Z', true],
    ['exactly at the end (exclusive)', '2026-07-01T00:00:00.000Z', false],
  ])('%s: %s', (_case, now, expected) => {
    expect(inForce({ active: true, startsAt, endsAt }, new Date(now))).toBe(expected);
  });

  it('is never in force when inactive, and always when open-ended and active', () => {
    expect(inForce({ active: false }, new Date())).toBe(false);
    expect(inForce({ active: true }, new Date('2000-01-01'))).toBe(true);
  });
});

describe('priceQuote', () => {
  it('gives each line only the single largest applicable discount (no stacking)', () => {
    const tenPercent = rule({ percentOff: 10 });
    const fiveOff = rule({ amountOffCents: 500, appliesTo: { type: 'category', category: 'kitchen' } });
    const quote = priceQuote([{ item: item('a', 2000), quantity: 1 }], [tenPercent, fiveOff], 'EUR');
    expect(quote.lines[0]).toMatchObject({
      lineSubtotalCents: 2000,
      discountCents: 500,
      lineTotalCents: 1500,
    });
    expect(quote.appliedDiscounts).toEqual([
      { id: fiveOff.id, code: null, description: 'test rule', discountCents: 500 },
    ]);
  });

  it('picks per line: different lines can get different discounts', () => {
    const tenPercent = rule({ percentOff: 10 });
    const itemOnly = rule({ percentOff: 50, appliesTo: { type: 'items', itemIds: ['b'] } });
    const quote = priceQuote(
      [
        { item: item('a', 1000), quantity: 2 },
        { item: item('b', 1000), quantity: 1 },
      ],
      [tenPercent, itemOnly],
      'EUR',
    );
    expect(quote.lines.map((line) => line.discountCents)).toEqual([200, 500]);
    expect(quote).toMatchObject({
      subtotalCents: 3000,
      discountCents: 700,
      totalCents: 2300,
      currency: 'EUR',
    });
    expect(quote.appliedDiscounts.map((applied) => [applied.id, applied.discountCents])).toEqual([
      [tenPercent.id, 200],
      [itemOnly.id, 500],
    ]);
  });

  it.each<[string, AppliesTo, boolean[]]>([
    ['all', { type: 'all' }, [true, true, true]],
    ['a category', { type: 'category', category: 'garden' }, [false, true, false]],
    ['listed items', { type: 'items', itemIds: ['a', 'c'] }, [true, false, true]],
  ])('scopes a discount to %s', (_scope, appliesTo, expected) => {
    const quote = priceQuote(
      [
        { item: item('a', 1000, 'kitchen'), quantity: 1 },
        { item: item('b', 1000, 'garden'), quantity: 1 },
        { item: item('c', 1000, 'kitchen'), quantity: 1 },
      ],
      [rule({ percentOff: 20, appliesTo })],
      'EUR',
    );
    expect(quote.lines.map((line) => line.discountCents > 0)).toEqual(expected);
  });

  it('lets the earlier rule win a tie', () => {
    const automatic = rule({ percentOff: 10 });
    const code = rule({ amountOffCents: 100, code: 'TENNER' });
    const quote = priceQuote([{ item: item('a', 1000), quantity: 1 }], [automatic, code], 'EUR');
    expect(quote.appliedDiscounts.map((applied) => applied.id)).toEqual([automatic.id]);
  });

  it('never goes below zero and keeps integer cents throughout', () => {
    const quote = priceQuote(
      [
        { item: item('a', 1), quantity: 100 },
        { item: item('b', 33_333), quantity: 3 },
      ],
      [rule({ amountOffCents: 50_000 }), rule({ percentOff: 33 })],
      'EUR',
    );
    expect(quote.totalCents).toBe(0);
    for (const line of quote.lines) {
      expect(Number.isInteger(line.discountCents)).toBe(true);
      expect(line.lineTotalCents).toBeGreaterThanOrEqual(0);
    }
  });

  it('applies nothing when no rule applies', () => {
    const quote = priceQuote([{ item: item('a', 1500), quantity: 2 }], [], 'USD');
    expect(quote).toEqual({
      lines: [
        {
          itemId: 'a',
          name: 'Item a',
          unitPriceCents: 1500,
          quantity: 2,
          lineSubtotalCents: 3000,
          discountCents: 0,
          lineTotalCents: 3000,
        },
      ],
      subtotalCents: 3000,
      discountCents: 0,
      totalCents: 3000,
      currency: 'USD',
      appliedDiscounts: [],
    });
  });
});
