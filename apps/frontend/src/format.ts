/** Integer cents as money in the visitor's locale: 123456, 'EUR' -> "€1,234.56". */
export function formatPrice(cents: number, currency: string, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
}

export function describeDiscount(
  discount: { percentOff?: number; amountOffCents?: number },
  currency = 'EUR',
): string {
  if (discount.percentOff !== undefined) return `${discount.percentOff}% off`;
  return `${formatPrice(discount.amountOffCents ?? 0, currency)} off each`;
}
