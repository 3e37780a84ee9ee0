import type { Discount, Item } from '../api/types';
import { formatPrice } from '../format';
import { bestOffer } from '../offers';

/** An item's price: with an offer in force, the price after it and, struck through, the one before. */
export function Price({ item, discounts }: { item: Item; discounts: Discount[] | undefined }) {
  const offer = bestOffer(discounts, item);
  if (!offer) return <span className="price-now">{formatPrice(item.priceCents, item.currency)}</span>;
  return (
    <>
      <span className="price-now price-offer">{formatPrice(offer.priceCents, item.currency)}</span>{' '}
      <span className="price-was">
        <span className="visually-hidden">instead of </span>
        <s>{formatPrice(item.priceCents, item.currency)}</s>
      </span>
    </>
  );
}
