import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import type { Item } from '../api/types';
import { ErrorState, Loading } from '../components/states';
import { formatPrice } from '../format';
import { QuantityInput } from '../components/QuantityInput';
import { useCart } from '../state/cart';
import { useResource } from '../state/use-resource';

export function ItemPage() {
  const { id = '' } = useParams();
  const [item, retry] = useResource(id, () =>
    api.get<{ item: Item }>(`/api/items/${encodeURIComponent(id)}`),
  );
  const { add } = useCart();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState(false);

  if (item.status === 'loading') return <Loading what="the item" />;
  if (item.status === 'error') {
    const missing =
      item.error instanceof ApiError && (item.error.status === 404 || item.error.status === 400);
    return missing ? (
      <section>
        <h1>Item not found</h1>
        <p>
          This item does not exist (any more). <Link to="/">Back to the catalog</Link>
        </p>
      </section>
    ) : (
      <ErrorState error={item.error} retry={retry} what="this item" />
    );
  }
  const { item: shown } = item.data;
  return (
    <article aria-labelledby="item-title" className="item-page">
      <h1 id="item-title">{shown.name}</h1>
      <p className="category">{shown.category}</p>
      <p className="price">{formatPrice(shown.priceCents, shown.currency)}</p>
      <p>{shown.description}</p>
      <p className="stock">{shown.stock > 0 ? `${shown.stock} in stock` : 'Out of stock'}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          add(shown.id, quantity);
          setAdded(true);
        }}
      >
        <label htmlFor="quantity">Quantity</label>
        <QuantityInput id="quantity" value={quantity} onChange={setQuantity} />
        <button type="submit">Add to cart</button>
      </form>
      {added ? (
        <p role="status">
          Added to your cart. <Link to="/cart">Go to the cart</Link>
        </p>
      ) : null}
    </article>
  );
}
