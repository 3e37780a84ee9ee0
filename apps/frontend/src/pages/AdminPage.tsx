import { useState } from 'react';
import type { FormEvent } from 'react';
import { Navigate } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import type { Discount, Item, ItemPage } from '../api/types';
import { Field } from '../components/Field';
import { ErrorState, Loading } from '../components/states';
import { describeDiscount, formatPrice } from '../format';
import { useSession } from '../state/session';
import { useResource } from '../state/use-resource';

const ADMIN_PAGE_SIZE = 100;

/** "12.34" -> 1234 cents; undefined when it is not a price. */
export function parseCents(text: string): number | undefined {
  const match = /^\s*(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function failure(error: unknown): { fields: Record<string, string>; message?: string } {
  if (error instanceof ApiError && error.status === 400) return { fields: error.fieldErrors() };
  return { fields: {}, message: error instanceof Error ? error.message : String(error) };
}

const emptyItem = { name: '', description: '', price: '', currency: 'EUR', category: '', stock: '0' };

function ItemForm({
  initial,
  onSaved,
  onCancel,
}: {
  initial?: Item;
  onSaved: () => void;
  onCancel?: () => void;
}) {
  const [form, setForm] = useState(
    initial
      ? {
          name: initial.name,
          description: initial.description,
          price: (initial.priceCents / 100).toFixed(2),
          currency: initial.currency,
          category: initial.category,
          stock: String(initial.stock),
        }
      : emptyItem,
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | undefined>();
  const set = (key: keyof typeof form) => (value: string) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const priceCents = parseCents(form.price);
    const stock = Number(form.stock);
    const found: Record<string, string> = {};
    if (!form.name.trim()) found.name = 'Enter a name.';
    if (priceCents === undefined) found.priceCents = 'Enter a price such as 12.50.';
    if (!form.category.trim()) found.category = 'Enter a category.';
    if (!Number.isInteger(stock) || stock < 0) found.stock = 'Enter a whole number of 0 or more.';
    setErrors(found);
    setMessage(undefined);
    if (Object.keys(found).length > 0) return;
    const body = {
      name: form.name.trim(),
      description: form.description.trim(),
      priceCents,
      currency: form.currency.trim().toUpperCase(),
      category: form.category.trim(),
      stock,
    };
    try {
      if (initial) await api.request('PATCH', `/api/items/${initial.id}`, body);
      else await api.post('/api/items', body);
      if (!initial) setForm(emptyItem);
      onSaved();
    } catch (error) {
      const result = failure(error);
      setErrors(result.fields);
      setMessage(result.message);
    }
  };

  return (
    <form
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={initial ? `Edit ${initial.name}` : 'New item'}
      className="admin-form"
    >
      <Field label="Name" name="name" value={form.name} onChange={set('name')} error={errors.name} required />
      <Field
        label="Description"
        name="description"
        value={form.description}
        onChange={set('description')}
        error={errors.description}
      />
      <Field
        label="Price"
        name="price"
        inputMode="decimal"
        value={form.price}
        onChange={set('price')}
        error={errors.priceCents}
        required
      />
      <Field
        label="Currency"
        name="currency"
        value={form.currency}
        onChange={set('currency')}
        error={errors.currency}
        required
      />
      <Field
        label="Category"
        name="category"
        value={form.category}
        onChange={set('category')}
        error={errors.category}
        required
      />
      <Field
        label="Stock"
        name="stock"
        inputMode="numeric"
        value={form.stock}
        onChange={set('stock')}
        error={errors.stock}
      />
      {message ? (
        <p role="alert" className="form-error">
          {message}
        </p>
      ) : null}
      <button type="submit">{initial ? 'Save item' : 'Create item'}</button>
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}

function ItemsAdmin() {
  const [items, reload] = useResource('admin-items', () =>
    api.get<ItemPage>(`/api/items?limit=${ADMIN_PAGE_SIZE}`),
  );
  const [editing, setEditing] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const removeItem = async (item: Item) => {
    try {
      await api.request('DELETE', `/api/items/${item.id}`);
      setMessage(`Deleted ${item.name}.`);
      reload();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section aria-labelledby="admin-items">
      <h2 id="admin-items">Items</h2>
      <ItemForm
        onSaved={() => {
          setMessage('Item created.');
          reload();
        }}
      />
      {message ? <p role="status">{message}</p> : null}
      {items.status === 'loading' ? <Loading what="items" /> : null}
      {items.status === 'error' ? <ErrorState error={items.error} retry={reload} what="items" /> : null}
      {items.status === 'ready' ? (
        <ul className="admin-list">
          {items.data.items.map((item) =>
            editing === item.id ? (
              <li key={item.id}>
                <ItemForm
                  initial={item}
                  onSaved={() => {
                    setEditing(undefined);
                    setMessage(`Saved ${item.name}.`);
                    reload();
                  }}
                  onCancel={() => setEditing(undefined)}
                />
              </li>
            ) : (
              <li key={item.id}>
                <span>
                  {item.name} · {item.category} · {formatPrice(item.priceCents, item.currency)} · {item.stock}{' '}
                  in stock
                </span>
                <button type="button" onClick={() => setEditing(item.id)} aria-label={`Edit ${item.name}`}>
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() => void removeItem(item)}
                  aria-label={`Delete ${item.name}`}
                >
                  Delete
                </button>
              </li>
            ),
          )}
        </ul>
      ) : null}
    </section>
  );
}

const emptyDiscount = { code: '', description: '', kind: 'percent', value: '', scope: 'all', category: '' };

function DiscountsAdmin() {
  const [discounts, reload] = useResource('admin-discounts', () =>
    api.get<{ discounts: Discount[] }>('/api/discounts'),
  );
  const [form, setForm] = useState(emptyDiscount);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | undefined>();
  const set = (key: keyof typeof form) => (value: string) =>
    setForm((current) => ({ ...current, [key]: value }));

  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      setMessage(done);
      reload();
      return true;
    } catch (error) {
      const result = failure(error);
      setErrors(result.fields);
      setMessage(result.message);
      return false;
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    const amount = form.kind === 'percent' ? Number(form.value) : parseCents(form.value);
    const body = {
      ...(form.code.trim() ? { code: form.code.trim().toUpperCase() } : {}),
      description: form.description.trim(),
      ...(form.kind === 'percent' ? { percentOff: amount } : { amountOffCents: amount }),
      appliesTo:
        form.scope === 'category' ? { type: 'category', category: form.category.trim() } : { type: 'all' },
    };
    if (await act(() => api.post('/api/discounts', body), 'Discount created.')) setForm(emptyDiscount);
  };

  return (
    <section aria-labelledby="admin-discounts">
      <h2 id="admin-discounts">Discounts</h2>
      <form
        onSubmit={(event) => void submit(event)}
        noValidate
        aria-label="New discount"
        className="admin-form"
      >
        <Field
          label="Code (empty for an automatic discount)"
          name="code"
          value={form.code}
          onChange={set('code')}
          error={errors.code}
        />
        <Field
          label="Description"
          name="description"
          value={form.description}
          onChange={set('description')}
          error={errors.description}
          required
        />
        <div className="field">
          <label htmlFor="discount-kind">Kind</label>
          <select id="discount-kind" value={form.kind} onChange={(event) => set('kind')(event.target.value)}>
            <option value="percent">Percent off</option>
            <option value="amount">Amount off each unit</option>
          </select>
        </div>
        <Field
          label={form.kind === 'percent' ? 'Percent' : 'Amount'}
          name="value"
          inputMode="decimal"
          value={form.value}
          onChange={set('value')}
          error={errors.percentOff ?? errors.amountOffCents}
          required
        />
        <div className="field">
          <label htmlFor="discount-scope">Applies to</label>
          <select
            id="discount-scope"
            value={form.scope}
            onChange={(event) => set('scope')(event.target.value)}
          >
            <option value="all">Everything</option>
            <option value="category">One category</option>
          </select>
        </div>
        {form.scope === 'category' ? (
          <Field
            label="Category"
            name="category"
            value={form.category}
            onChange={set('category')}
            error={errors['appliesTo.category']}
            required
          />
        ) : null}
        <button type="submit">Create discount</button>
      </form>
      {message ? <p role="status">{message}</p> : null}
      {discounts.status === 'loading' ? <Loading what="discounts" /> : null}
      {discounts.status === 'error' ? (
        <ErrorState error={discounts.error} retry={reload} what="discounts" />
      ) : null}
      {discounts.status === 'ready' ? (
        <ul className="admin-list">
          {discounts.data.discounts.map((discount) => (
            <li key={discount.id}>
              <span>
                {discount.code ?? 'automatic'} · {discount.description} · {describeDiscount(discount)} ·{' '}
                {discount.active ? 'active' : 'inactive'}
              </span>
              <button
                type="button"
                onClick={() =>
                  void act(
                    () => api.request('PATCH', `/api/discounts/${discount.id}`, { active: !discount.active }),
                    `${discount.active ? 'Deactivated' : 'Activated'} ${discount.description}.`,
                  )
                }
              >
                {discount.active ? 'Deactivate' : 'Activate'}
              </button>
              <button
                type="button"
                aria-label={`Delete ${discount.description}`}
                onClick={() =>
                  void act(
                    () => api.request('DELETE', `/api/discounts/${discount.id}`),
                    `Deleted ${discount.description}.`,
                  )
                }
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function AdminPage() {
  const { user, restoring } = useSession();
  if (restoring) return <Loading what="your session" />;
  if (!user) return <Navigate to="/login" replace />;
  if (!user.roles.includes('admin')) {
    return (
      <section>
        <h1>Admin</h1>
        <p role="alert">This area is for administrators.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Admin</h1>
      <ItemsAdmin />
      <DiscountsAdmin />
    </section>
  );
}
