import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api/client';
import type { Discount, ItemPage } from '../api/types';
import { Empty, ErrorState, Loading } from '../components/states';
import { describeDiscount, formatPrice } from '../format';
import { useResource } from '../state/use-resource';

export const PAGE_SIZE = 12;

function discountScope(discount: Discount): string {
  switch (discount.appliesTo.type) {
    case 'all':
      return 'on everything';
    case 'category':
      return `on ${discount.appliesTo.category}`;
    case 'items':
      return 'on selected items';
  }
}

function ActiveDiscounts() {
  const [discounts] = useResource('active', () =>
    api.get<{ discounts: Discount[] }>('/api/discounts/active'),
  );
  // Discounts are a bonus on this page: if they cannot load, the catalog still shows.
  if (discounts.status !== 'ready' || discounts.data.discounts.length === 0) return null;
  return (
    <section aria-label="Current offers" className="offers">
      {discounts.data.discounts.map((discount) => (
        <p key={discount.id}>
          <strong>{describeDiscount(discount)}</strong> {discountScope(discount)}: {discount.description}
        </p>
      ))}
    </section>
  );
}

export function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const [search, setSearch] = useState(q);

  const query = new URLSearchParams({ page: String(page), limit: String(PAGE_SIZE) });
  if (q) query.set('q', q);
  if (category) query.set('category', category);
  const [items, retry] = useResource(query.toString(), () =>
    api.get<ItemPage>(`/api/items?${query.toString()}`),
  );
  const [categories] = useResource('categories', () =>
    api.get<{ categories: string[] }>('/api/items/categories'),
  );

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update({ q: search.trim(), page: '' });
  };

  const pages = items.status === 'ready' ? Math.max(1, Math.ceil(items.data.total / PAGE_SIZE)) : 1;
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Catalog</h1>
      <ActiveDiscounts />
      <form role="search" onSubmit={submit} className="filters">
        <label htmlFor="search">Search</label>
        <input id="search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        <button type="submit">Search</button>
        <label htmlFor="category">Category</label>
        <select
          id="category"
          value={category}
          onChange={(event) => update({ category: event.target.value, page: '' })}
        >
          <option value="">All categories</option>
          {categories.status === 'ready'
            ? categories.data.categories.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))
            : null}
        </select>
      </form>

      {items.status === 'loading' ? <Loading what="the catalog" /> : null}
      {items.status === 'error' ? <ErrorState error={items.error} retry={retry} what="the catalog" /> : null}
      {items.status === 'ready' && items.data.items.length === 0 ? (
        <Empty>{q || category ? 'No items match your search.' : 'The catalog is empty.'}</Empty>
      ) : null}
      {items.status === 'ready' && items.data.items.length > 0 ? (
        <>
          <p className="count">
            {items.data.total} {items.data.total === 1 ? 'item' : 'items'}
          </p>
          <ul className="items">
            {items.data.items.map((item) => (
              <li key={item.id}>
                <Link to={`/items/${item.id}`}>{item.name}</Link>
                <span className="category">{item.category}</span>
                <span className="price">{formatPrice(item.priceCents, item.currency)}</span>
              </li>
            ))}
          </ul>
          <nav aria-label="Pages" className="pagination">
            <button type="button" disabled={page <= 1} onClick={() => update({ page: String(page - 1) })}>
              Previous
            </button>
            <span>
              Page {page} of {pages}
            </span>
            <button type="button" disabled={page >= pages} onClick={() => update({ page: String(page + 1) })}>
              Next
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}
