import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { ApiError } from '../api/client';
import type { Item } from '../api/types';
import { ItemImage } from '../components/ItemImage';
import { PageHeading, useTitle } from '../components/page';
import { Price } from '../components/Price';
import { QuantityInput } from '../components/QuantityInput';
import { ErrorState, Loading, SkeletonLines, StaleNotice } from '../components/states';
import { describeDiscount } from '../format';
import { bestOffer } from '../offers';
import { useCart } from '../state/cart';
import { useActiveDiscounts, useItem } from '../state/queries';

function BackLink() {
  return (
    <p className="back">
      <Link to="/">← Back to the catalog</Link>
    </p>
  );
}

export function ItemPage() {
  const { id = '' } = useParams<'/items/:id'>();
  const item = useItem(id);
  const offers = useActiveDiscounts();
  const { add } = useCart();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState<number | undefined>();
  const shown: (Item & { image?: string | null }) | undefined = item.data?.item;
  const missing = item.error instanceof ApiError && (item.error.status === 404 || item.error.status === 400);
  useTitle(shown?.name ?? (missing ? 'Item not found' : item.isError ? 'Item unavailable' : 'Item'));

  if (item.isPending) {
    return (
      <div className="item-page">
        <Loading what="the item" />
        <span className="skeleton item-page-skeleton-media" aria-hidden="true" />
        <div>
          <SkeletonLines count={5} />
        </div>
      </div>
    );
  }
  if (!shown) {
    return missing ? (
      <section aria-labelledby="item-title">
        <PageHeading id="item-title">Item not found</PageHeading>
        <p>This item does not exist (any more).</p>
        <p>
          <Link to="/">Back to the catalog</Link>
        </p>
      </section>
    ) : (
      <section aria-labelledby="item-title">
        <BackLink />
        <PageHeading id="item-title">Item unavailable</PageHeading>
        <ErrorState
          error={item.error ?? new Error('unknown')}
          retry={() => void item.refetch()}
          busy={item.isFetching}
          what="this item"
        />
      </section>
    );
  }
  const offer = bestOffer(offers.data?.discounts, shown);
  return (
    <article aria-labelledby="item-title">
      <BackLink />
      {item.isError ? (
        <StaleNotice what="this item" retry={() => void item.refetch()} busy={item.isFetching} />
      ) : null}
      <div className="item-page">
        <div className="item-page-media card">
          <ItemImage image={shown.image} lazy={false} />
        </div>
        <div className="item-page-details">
          <span className="badge badge-muted">{shown.category}</span>
          <PageHeading id="item-title">{shown.name}</PageHeading>
          <p className="price price-large">
            <Price item={shown} discounts={offers.data?.discounts} />
          </p>
          {offer ? (
            <p className="offer">
              <span className="badge badge-offer">{describeDiscount(offer.discount)}</span>
              <span>{offer.discount.description}</span>
            </p>
          ) : null}
          {shown.description ? <p className="description">{shown.description}</p> : null}
          <p>
            {shown.stock > 0 ? (
              <span className="badge badge-success">{shown.stock} in stock</span>
            ) : (
              <span className="badge badge-warning">Out of stock</span>
            )}
          </p>
          <form
            className="add-to-cart"
            onSubmit={(event) => {
              event.preventDefault();
              add(shown.id, quantity, { name: shown.name, image: shown.image });
              setAdded(quantity);
            }}
          >
            <div className="field">
              <label htmlFor="quantity">Quantity</label>
              <QuantityInput id="quantity" value={quantity} onChange={setQuantity} />
            </div>
            <button type="submit" className="btn" disabled={shown.stock === 0}>
              Add to cart
            </button>
          </form>
          <div role="status">
            {added !== undefined ? (
              <p className="alert alert-success">
                <span>
                  Added to your cart. <Link to="/cart">Go to the cart</Link>
                </span>
              </p>
            ) : null}
          </div>
        </div>
      </div>
    </article>
  );
}
