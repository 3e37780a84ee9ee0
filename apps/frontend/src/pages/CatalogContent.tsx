import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'wouter';
import type { Discount, Item } from '../api/types';
import { ItemImage } from '../components/ItemImage';
import { CatalogSkeleton } from '../components/CatalogSkeleton';
import { Pagination } from '../components/Pagination';
import { Empty, ErrorState, Loading, StaleNotice } from '../components/states';
import { Price } from '../components/Price';
import { describeDiscount } from '../format';
import { bestOffer, discountScope } from '../offers';
import { useActiveDiscounts, useCategories, useItems } from '../state/queries';

export const PAGE_SIZE = 12;
/** The highest page the items service accepts. */
const MAX_PAGE = 100_000;
/** Cards in the first rows load at once; the rest when they come near the screen. */
const EAGER_CARDS = 4;

/** An item of the list; `image` is the picture's same-origin path, when it has one. */
type ListedItem = Item & { image?: string | null };

function Offers({ discounts }: { discounts: Discount[] }) {
  if (discounts.length === 0) return null;
  return (
    <section aria-label="Current offers" className="offers">
      {discounts.map((discount) => (
        <p key={discount.id} className="offer">
          <span className="badge badge-offer">{describeDiscount(discount)}</span>
          <span>
            <strong>{discount.description}</strong> <span className="hint">{discountScope(discount)}</span>
          </span>
        </p>
      ))}
    </section>
  );
}

function ItemCard({
  item,
  discounts,
  eager,
}: {
  item: ListedItem;
  discounts: Discount[] | undefined;
  eager: boolean;
}) {
  const offer = bestOffer(discounts, item);
  return (
    <li className="item-card card">
      <div className="item-card-media">
        <ItemImage image={item.image} lazy={!eager} />
        {offer ? <span className="badge badge-offer">{describeDiscount(offer.discount)}</span> : null}
      </div>
      <div className="item-card-body">
        <span className="badge badge-muted">{item.category}</span>
        <h2 className="item-card-title">
          <Link to={`/items/${item.id}`}>{item.name}</Link>
        </h2>
        <p className="price">
          <Price item={item} discounts={discounts} />
        </p>
        {item.stock === 0 ? <span className="badge badge-warning">Out of stock</span> : null}
      </div>
    </li>
  );
}

export function CatalogContent() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const page = Math.min(MAX_PAGE, Math.max(1, Math.trunc(Number(params.get('page') ?? '1')) || 1));
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);

  const items = useItems({ q, category, page, limit: PAGE_SIZE });
  const categories = useCategories();
  // The offers are a bonus here: if they cannot load, the catalog still shows.
  const offers = useActiveDiscounts();
  const discounts = offers.data?.discounts;

  const withChanges = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    return next;
  };
  const link = (changes: Record<string, string>) => {
    const text = withChanges(changes).toString();
    return text ? `/?${text}` : '/';
  };
  const update = (changes: Record<string, string>) => setParams(withChanges(changes));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update({ q: search.trim(), page: '' });
  };
  const goToPage = (next: number) => {
    update({ page: next > 1 ? String(next) : '' });
    document.getElementById('catalog-title')?.focus();
  };

  const data = items.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const filtered = Boolean(q || category);
  return (
    <>
      <Offers discounts={discounts ?? []} />
      <form role="search" onSubmit={submit} className="filters card">
        <div className="field filters-search">
          <label htmlFor="search">Search</label>
          <div className="input-with-button">
            <input
              id="search"
              className="input"
              type="search"
              value={search}
              placeholder="Lamp, kettle, speaker…"
              onChange={(event) => setSearch(event.target.value)}
            />
            <button type="submit" className="btn">
              Search
            </button>
          </div>
        </div>
        <div className="field filters-category">
          <label htmlFor="category">Category</label>
          <select
            id="category"
            className="select"
            value={category}
            onChange={(event) => update({ category: event.target.value, page: '' })}
          >
            <option value="">All categories</option>
            {(categories.data?.categories ?? []).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
            {category && categories.data && !categories.data.categories.includes(category) ? (
              <option value={category}>{category}</option>
            ) : null}
          </select>
        </div>
      </form>

      {items.isPending ? (
        <>
          <Loading what="the catalog" />
          <CatalogSkeleton />
        </>
      ) : null}
      {items.isError && !data ? (
        <ErrorState
          error={items.error}
          retry={() => void items.refetch()}
          busy={items.isFetching}
          what="the catalog"
        />
      ) : null}
      {items.isError && data ? (
        <StaleNotice what="the catalog" retry={() => void items.refetch()} busy={items.isFetching} />
      ) : null}
      {data && data.items.length === 0 && page > 1 && data.total > 0 ? (
        <Empty title={`There is no page ${page}.`}>
          <p>
            {filtered ? 'The results have' : 'The catalog has'} {pages} {pages === 1 ? 'page' : 'pages'}.
          </p>
          <p>
            <Link to={link({ page: pages > 1 ? String(pages) : '' })}>Go to the last page</Link>
          </p>
        </Empty>
      ) : null}
      {data && data.items.length === 0 && !(page > 1 && data.total > 0) ? (
        filtered ? (
          <Empty title="No items match your search.">
            <p>Try other words, or another category.</p>
            <p>
              <Link to="/">Show the whole catalog</Link>
            </p>
          </Empty>
        ) : page > 1 ? (
          <Empty title={`There is no page ${page}.`}>
            <p>
              <Link to="/">Back to the first page</Link>
            </p>
          </Empty>
        ) : (
          <Empty title="The catalog is empty.">
            <p>Nothing is for sale yet. Please come back soon.</p>
          </Empty>
        )
      ) : null}
      {data && data.items.length > 0 ? (
        <div aria-busy={items.isPlaceholderData || undefined} className="results">
          <p className="count results-count">
            {data.total} {data.total === 1 ? 'item' : 'items'}
          </p>
          <ul className="items">
            {data.items.map((item, index) => (
              <ItemCard key={item.id} item={item} discounts={discounts} eager={index < EAGER_CARDS} />
            ))}
          </ul>
          <Pagination page={page} pages={pages} onPage={goToPage} />
        </div>
      ) : null}
    </>
  );
}
