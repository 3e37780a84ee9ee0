import { useEffect, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Redirect } from 'wouter';
import { api, ApiError } from '../api/client';
import type { AppliesTo, Discount, Item } from '../api/types';
import { Dialog } from '../components/Dialog';
import { Field, SelectField } from '../components/Field';
import { PageHeading, useTitle } from '../components/page';
import { Pagination } from '../components/Pagination';
import { Empty, ErrorState, Loading, SkeletonLines, StaleNotice } from '../components/states';
import { describeDiscount, formatPrice } from '../format';
import { discountScope } from '../offers';
import { queryKeys, useDiscounts, useItems } from '../state/queries';
import { queryClient } from '../state/query-client';
import { useSession } from '../state/session';

const ADMIN_PAGE_SIZE = 20;

/** "12.34" -> 1234 cents; undefined when it is not a price. */
export function parseCents(text: string): number | undefined {
  const match = /^\s*(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

type Errors = Record<string, string>;

/**
 * A refused save in plain words: each field the API names gets the form's own message for it
 * (its `fields` entry), anything else a message for the whole form.
 */
export function plainErrors(
  error: unknown,
  messages: Record<string, { field: string; message: string }>,
): { fields: Errors; message?: string } {
  if (!(error instanceof ApiError)) return { fields: {}, message: String(error) };
  if (error.status !== 400) return { fields: {}, message: error.message };
  const fields: Errors = {};
  const other: string[] = [];
  for (const [path, text] of Object.entries(error.fieldErrors())) {
    const known = messages[path] ?? messages[path.split('.')[0] ?? ''];
    if (known) fields[known.field] ??= known.message;
    else other.push(path ? `${path} ${text}` : text);
  }
  const noFields = Object.keys(fields).length === 0 && other.length === 0;
  return {
    fields,
    ...(other.length > 0 || noFields
      ? { message: `The changes were not saved: ${other.join('; ') || error.message}.` }
      : {}),
  };
}

/** The search box, debounced: `onSearch` gets the words once typing has paused. */
function SearchBox({ label, onSearch }: { label: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => onSearch(text.trim()), 300);
    return () => clearTimeout(timer);
    // onSearch is a state setter wrapper; the text decides.
  }, [text]);
  return (
    <div className="field toolbar-search">
      <label htmlFor={`search-${label}`}>{label}</label>
      <input
        id={`search-${label}`}
        className="input"
        type="search"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
    </div>
  );
}

function Status({ message }: { message: string | undefined }) {
  return (
    <div role="status" className="admin-status">
      {message ? <p className="alert alert-success">{message}</p> : null}
    </div>
  );
}

function FormError({ message }: { message: string | undefined }) {
  return message ? (
    <p role="alert" className="alert alert-error">
      {message}
    </p>
  ) : null;
}

/** A delete asked for once more, in a dialog: "Delete Kettle?". */
function ConfirmDelete({
  name,
  consequence,
  onConfirm,
  onClose,
}: {
  name: string;
  consequence: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  return (
    <Dialog title={`Delete ${name}?`} onClose={onClose} small>
      <p>{consequence}</p>
      <FormError message={message} />
      <div className="form-actions">
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            onConfirm().catch((error: unknown) => {
              setBusy(false);
              setMessage(error instanceof Error ? error.message : String(error));
            });
          }}
        >
          {busy ? 'Deleting…' : 'Delete'}
        </button>
        <button type="button" className="btn btn-secondary" data-autofocus onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

/* ----------------------------------------------------------------------------------------- items */

type ItemWithImage = Item & { image?: string | null };

const ITEM_MESSAGES: Record<string, { field: string; message: string }> = {
  name: { field: 'name', message: 'Enter a name of 1 to 120 characters.' },
  description: { field: 'description', message: 'Use at most 2,000 characters.' },
  priceCents: { field: 'price', message: 'Enter a price such as 12.50, up to 1,000,000.00.' },
  currency: { field: 'currency', message: 'Enter a three-letter currency code, such as EUR.' },
  category: {
    field: 'category',
    message: 'Enter a category of up to 50 letters, digits, spaces, & or -, starting with a letter or digit.',
  },
  stock: { field: 'stock', message: 'Enter a whole number of 0 or more.' },
  image: {
    field: 'image',
    message: 'Enter a picture path such as /images/items/desk-lamp.svg, or leave it empty.',
  },
};

const CATEGORY = /^[a-z0-9][a-z0-9 &-]{0,49}$/i;
const IMAGE = /^\/images\/[a-z0-9][a-z0-9_-]*(?:\/[a-z0-9][a-z0-9_-]*)*\.(?:svg|png|webp|jpg)$/;

function itemForm(item?: ItemWithImage) {
  return {
    name: item?.name ?? '',
    description: item?.description ?? '',
    price: item ? (item.priceCents / 100).toFixed(2) : '',
    currency: item?.currency ?? 'EUR',
    category: item?.category ?? '',
    stock: String(item?.stock ?? 0),
    image: item?.image ?? '',
  };
}

/** The checks the items service makes, with the same messages it would get, before anything is sent. */
function checkItem(form: ReturnType<typeof itemForm>): Errors {
  const found: Errors = {};
  const message = (key: string) => ITEM_MESSAGES[key]?.message ?? '';
  const priceCents = parseCents(form.price);
  const stock = Number(form.stock);
  if (!form.name.trim() || form.name.trim().length > 120) found.name = message('name');
  if (form.description.trim().length > 2000) found.description = message('description');
  if (priceCents === undefined || priceCents > 100_000_000) found.price = message('priceCents');
  if (!/^[a-z]{3}$/i.test(form.currency.trim())) found.currency = message('currency');
  if (!CATEGORY.test(form.category.trim())) found.category = message('category');
  if (form.stock.trim() === '' || !Number.isInteger(stock) || stock < 0 || stock > 1e9)
    found.stock = message('stock');
  if (form.image.trim() && !IMAGE.test(form.image.trim())) found.image = message('image');
  return found;
}

function ItemForm({
  initial,
  onSaved,
  onCancel,
}: {
  initial?: ItemWithImage;
  onSaved: (item: Item) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState(() => itemForm(initial));
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (value: string) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = checkItem(form);
    setErrors(found);
    setMessage(undefined);
    if (Object.keys(found).length > 0) return;
    const image = form.image.trim();
    const body = {
      name: form.name.trim(),
      description: form.description.trim(),
      priceCents: parseCents(form.price),
      currency: form.currency.trim().toUpperCase(),
      category: form.category.trim(),
      stock: Number(form.stock),
      ...(image ? { image } : initial?.image ? { image: null } : {}),
    };
    setBusy(true);
    try {
      const saved = initial
        ? await api.request<{ item: Item }>('PATCH', `/api/items/${initial.id}`, body)
        : await api.post<{ item: Item }>('/api/items', body);
      onSaved(saved.item);
    } catch (error) {
      const result = plainErrors(error, ITEM_MESSAGES);
      setErrors(result.fields);
      setMessage(result.message);
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={initial ? `Edit ${initial.name}` : 'New item'}
    >
      <div className="form-grid">
        <Field
          className="wide"
          label="Name"
          name="name"
          value={form.name}
          onChange={set('name')}
          error={errors.name}
          required
        />
        <Field
          className="wide"
          label="Description"
          name="description"
          multiline
          value={form.description}
          onChange={set('description')}
          error={errors.description}
        />
        <Field
          label="Price"
          name="price"
          inputMode="decimal"
          hint="Such as 12.50"
          value={form.price}
          onChange={set('price')}
          error={errors.price}
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
        <Field
          className="wide"
          label="Picture (optional)"
          name="image"
          hint="A path on this site, such as /images/items/desk-lamp.svg"
          value={form.image}
          onChange={set('image')}
          error={errors.image}
        />
      </div>
      <FormError message={message} />
      <div className="form-actions">
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Saving…' : initial ? 'Save item' : 'Create item'}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type Editing<T> = { kind: 'new' } | { kind: 'edit'; record: T } | { kind: 'delete'; record: T } | undefined;

function TableSkeleton() {
  return (
    <div className="panel">
      <SkeletonLines count={6} />
    </div>
  );
}

function ItemsAdmin() {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const items = useItems({ q, page, limit: ADMIN_PAGE_SIZE });
  const [editing, setEditing] = useState<Editing<ItemWithImage>>();
  const [message, setMessage] = useState<string | undefined>();
  const pages = items.data ? Math.max(1, Math.ceil(items.data.total / ADMIN_PAGE_SIZE)) : 1;
  // A delete that emptied the last page: show the page before it.
  useEffect(() => {
    if (items.data && items.data.items.length === 0 && page > pages) setPage(pages);
  }, [items.data, page, pages]);

  const saved = (text: string) => {
    setEditing(undefined);
    setMessage(text);
    void queryClient.invalidateQueries({ queryKey: queryKeys.allItems });
  };
  const remove = useMutation(
    {
      mutationFn: (item: Item) => api.request('DELETE', `/api/items/${item.id}`),
      onSuccess: (_, item) => saved(`Deleted ${item.name}.`),
    },
    queryClient,
  );

  return (
    <section aria-labelledby="admin-items" className="admin-section">
      <div className="admin-section-head">
        <h2 id="admin-items">Items</h2>
        <button type="button" className="btn" onClick={() => setEditing({ kind: 'new' })}>
          New item
        </button>
      </div>
      <div className="toolbar">
        <SearchBox
          label="Search items"
          onSearch={(text) => {
            setQ(text);
            setPage(1);
          }}
        />
        {items.data ? (
          <p className="count">
            {items.data.total} {items.data.total === 1 ? 'item' : 'items'}
          </p>
        ) : null}
      </div>
      <Status message={message} />
      {items.isPending ? (
        <>
          <Loading what="items" />
          <TableSkeleton />
        </>
      ) : null}
      {items.isError && !items.data ? (
        <ErrorState
          error={items.error}
          retry={() => void items.refetch()}
          busy={items.isFetching}
          what="items"
        />
      ) : null}
      {items.isError && items.data ? (
        <StaleNotice what="the items" retry={() => void items.refetch()} busy={items.isFetching} />
      ) : null}
      {items.data && items.data.items.length === 0 ? (
        <Empty title={q ? 'No items match your search.' : 'There are no items yet.'} />
      ) : null}
      {items.data && items.data.items.length > 0 ? (
        <div className="card table-card" aria-busy={items.isPlaceholderData || undefined}>
          <table className="table stack">
            <caption className="visually-hidden">
              Items, page {page} of {pages}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Category</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Stock
                </th>
                <th scope="col" className="actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.data.items.map((item) => (
                <tr key={item.id}>
                  <th scope="row">{item.name}</th>
                  <td data-label="Category">{item.category}</td>
                  <td data-label="Price" className="num">
                    {formatPrice(item.priceCents, item.currency)}
                  </td>
                  <td data-label="Stock" className="num">
                    {item.stock === 0 ? (
                      <span className="badge badge-warning">Out of stock</span>
                    ) : (
                      item.stock
                    )}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="btn btn-secondary btn-sm"
                      aria-label={`Edit ${item.name}`}
                      onClick={() => setEditing({ kind: 'edit', record: item })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-danger-ghost btn-sm"
                      aria-label={`Delete ${item.name}`}
                      onClick={() => setEditing({ kind: 'delete', record: item })}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pagination page={page} pages={pages} onPage={setPage} label="Item pages" />

      {editing?.kind === 'new' || editing?.kind === 'edit' ? (
        <Dialog
          title={editing.kind === 'edit' ? `Edit ${editing.record.name}` : 'New item'}
          onClose={() => setEditing(undefined)}
        >
          <ItemForm
            {...(editing.kind === 'edit' ? { initial: editing.record } : {})}
            onCancel={() => setEditing(undefined)}
            onSaved={(item) => saved(editing.kind === 'edit' ? `Saved ${item.name}.` : 'Item created.')}
          />
        </Dialog>
      ) : null}
      {editing?.kind === 'delete' ? (
        <ConfirmDelete
          name={editing.record.name}
          consequence="It leaves the catalog at once; carts that hold it drop it at their next price check. This cannot be undone."
          onConfirm={() => remove.mutateAsync(editing.record)}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
    </section>
  );
}

/* ------------------------------------------------------------------------------------- discounts */

const DISCOUNT_MESSAGES: Record<string, { field: string; message: string }> = {
  code: {
    field: 'code',
    message: 'Use 3 to 32 letters, digits or dashes, or leave it empty for an automatic discount.',
  },
  description: { field: 'description', message: 'Enter a description of 1 to 200 characters.' },
  percentOff: { field: 'value', message: 'Enter a percentage between 1 and 100.' },
  amountOffCents: { field: 'value', message: 'Enter an amount of at least 0.01, such as 5.00.' },
  appliesTo: {
    field: 'category',
    message: 'Enter a category of up to 50 letters, digits, spaces, & or -, starting with a letter or digit.',
  },
  startsAt: { field: 'startsAt', message: 'Enter the date and time it starts, or leave it empty.' },
  endsAt: { field: 'endsAt', message: 'Enter an end after the start, or leave it empty.' },
  active: { field: 'active', message: 'Choose whether the discount is on.' },
};

const CODE = /^[A-Z0-9-]{3,32}$/;

/** An ISO date-time as the value of a datetime-local input, in this browser's time zone. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function discountForm(discount?: Discount) {
  return {
    code: discount?.code ?? '',
    description: discount?.description ?? '',
    kind: discount?.amountOffCents !== undefined ? 'amount' : 'percent',
    value:
      discount?.amountOffCents !== undefined
        ? (discount.amountOffCents / 100).toFixed(2)
        : String(discount?.percentOff ?? ''),
    scope: discount?.appliesTo.type ?? 'all',
    category: discount?.appliesTo.type === 'category' ? discount.appliesTo.category : '',
    startsAt: toLocalInput(discount?.startsAt),
    endsAt: toLocalInput(discount?.endsAt),
    active: discount?.active ?? true,
  };
}

type DiscountFormState = ReturnType<typeof discountForm>;

function checkDiscount(form: DiscountFormState): Errors {
  const found: Errors = {};
  const message = (key: string) => DISCOUNT_MESSAGES[key]?.message ?? '';
  const code = form.code.trim().toUpperCase();
  if (code && !CODE.test(code)) found.code = message('code');
  const description = form.description.trim();
  if (!description || description.length > 200) found.description = message('description');
  if (form.kind === 'percent') {
    const percent = Number(form.value);
    if (!form.value.trim() || !Number.isInteger(percent) || percent < 1 || percent > 100)
      found.value = message('percentOff');
  } else {
    const cents = parseCents(form.value);
    if (cents === undefined || cents < 1 || cents > 100_000_000) found.value = message('amountOffCents');
  }
  if (form.scope === 'category' && !CATEGORY.test(form.category.trim()))
    found.category = message('appliesTo');
  if (form.startsAt && Number.isNaN(new Date(form.startsAt).getTime())) found.startsAt = message('startsAt');
  if (form.endsAt && Number.isNaN(new Date(form.endsAt).getTime())) found.endsAt = message('endsAt');
  else if (form.startsAt && form.endsAt && new Date(form.endsAt) <= new Date(form.startsAt))
    found.endsAt = 'The end must come after the start.';
  return found;
}

function DiscountForm({
  initial,
  onSaved,
  onCancel,
}: {
  initial?: Discount;
  onSaved: (discount: Discount) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState(() => discountForm(initial));
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const set = (key: keyof DiscountFormState) => (value: string | boolean) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = checkDiscount(form);
    setErrors(found);
    setMessage(undefined);
    if (Object.keys(found).length > 0) return;
    const code = form.code.trim().toUpperCase();
    const amount = form.kind === 'percent' ? Number(form.value) : parseCents(form.value);
    const appliesTo: AppliesTo =
      form.scope === 'category'
        ? { type: 'category', category: form.category.trim() }
        : form.scope === 'items' && initial?.appliesTo.type === 'items'
          ? initial.appliesTo
          : { type: 'all' };
    const startsAt = form.startsAt ? new Date(form.startsAt).toISOString() : null;
    const endsAt = form.endsAt ? new Date(form.endsAt).toISOString() : null;
    const fields = {
      code: code || null,
      description: form.description.trim(),
      percentOff: form.kind === 'percent' ? amount : null,
      amountOffCents: form.kind === 'amount' ? amount : null,
      appliesTo,
      startsAt,
      endsAt,
      active: form.active,
    };
    // A new discount leaves out what it does not have; an edit clears it with null.
    const body = initial
      ? fields
      : Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
    setBusy(true);
    try {
      const saved = initial
        ? await api.request<{ discount: Discount }>('PATCH', `/api/discounts/${initial.id}`, body)
        : await api.post<{ discount: Discount }>('/api/discounts', body);
      onSaved(saved.discount);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CODE_TAKEN') {
        setErrors({ code: 'Another discount already uses this code.' });
      } else {
        const result = plainErrors(error, DISCOUNT_MESSAGES);
        setErrors(result.fields);
        setMessage(result.message);
      }
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={initial ? `Edit ${initial.description}` : 'New discount'}
    >
      <div className="form-grid">
        <Field
          className="wide"
          label="Description"
          name="description"
          value={form.description}
          onChange={set('description')}
          error={errors.description}
          required
        />
        <Field
          label="Code"
          name="code"
          hint="Empty for an automatic discount"
          value={form.code}
          onChange={set('code')}
          error={errors.code}
          autoComplete="off"
        />
        <SelectField label="Kind" name="kind" value={form.kind} onChange={set('kind')}>
          <option value="percent">Percent off</option>
          <option value="amount">Amount off each unit</option>
        </SelectField>
        <Field
          label={form.kind === 'percent' ? 'Percent' : 'Amount'}
          name="value"
          inputMode="decimal"
          hint={form.kind === 'percent' ? 'From 1 to 100' : 'Such as 5.00'}
          value={form.value}
          onChange={set('value')}
          error={errors.value}
          required
        />
        <SelectField label="Applies to" name="scope" value={form.scope} onChange={set('scope')}>
          <option value="all">Everything</option>
          <option value="category">One category</option>
          {initial?.appliesTo.type === 'items' ? (
            <option value="items">The {initial.appliesTo.itemIds.length} selected items</option>
          ) : null}
        </SelectField>
        {form.scope === 'category' ? (
          <Field
            label="Category"
            name="category"
            value={form.category}
            onChange={set('category')}
            error={errors.category}
            required
          />
        ) : null}
        <Field
          label="Starts (optional)"
          name="startsAt"
          type="datetime-local"
          value={form.startsAt}
          onChange={set('startsAt')}
          error={errors.startsAt}
        />
        <Field
          label="Ends (optional)"
          name="endsAt"
          type="datetime-local"
          value={form.endsAt}
          onChange={set('endsAt')}
          error={errors.endsAt}
        />
        <label className="check wide">
          <input
            type="checkbox"
            name="active"
            checked={form.active}
            onChange={(event) => set('active')(event.target.checked)}
          />
          Active
        </label>
      </div>
      <FormError message={message} />
      <div className="form-actions">
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Saving…' : initial ? 'Save discount' : 'Create discount'}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function discountState(discount: Discount, now = Date.now()): ReactNode {
  if (!discount.active) return <span className="badge badge-muted">Off</span>;
  if (discount.startsAt && new Date(discount.startsAt).getTime() > now)
    return <span className="badge badge-warning">Scheduled</span>;
  if (discount.endsAt && new Date(discount.endsAt).getTime() <= now)
    return <span className="badge badge-muted">Ended</span>;
  return <span className="badge badge-success">In force</span>;
}

function DiscountsAdmin() {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const discounts = useDiscounts({ q, page, limit: ADMIN_PAGE_SIZE });
  const [editing, setEditing] = useState<Editing<Discount>>();
  const [message, setMessage] = useState<string | undefined>();
  const data = discounts.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / ADMIN_PAGE_SIZE)) : 1;
  useEffect(() => {
    if (data && data.discounts.length === 0 && page > pages) setPage(pages);
  }, [data, page, pages]);

  const saved = (text: string) => {
    setEditing(undefined);
    setMessage(text);
    void queryClient.invalidateQueries({ queryKey: queryKeys.allDiscounts });
  };
  const remove = useMutation(
    {
      mutationFn: (discount: Discount) => api.request('DELETE', `/api/discounts/${discount.id}`),
      onSuccess: (_, discount) => saved(`Deleted ${discount.description}.`),
    },
    queryClient,
  );

  return (
    <section aria-labelledby="admin-discounts" className="admin-section">
      <div className="admin-section-head">
        <h2 id="admin-discounts">Discounts</h2>
        <button type="button" className="btn" onClick={() => setEditing({ kind: 'new' })}>
          New discount
        </button>
      </div>
      <div className="toolbar">
        <SearchBox
          label="Search discounts"
          onSearch={(text) => {
            setQ(text);
            setPage(1);
          }}
        />
        {data ? (
          <p className="count">
            {data.total} {data.total === 1 ? 'discount' : 'discounts'}
          </p>
        ) : null}
      </div>
      <Status message={message} />
      {discounts.isPending ? (
        <>
          <Loading what="discounts" />
          <TableSkeleton />
        </>
      ) : null}
      {discounts.isError && !data ? (
        <ErrorState
          error={discounts.error}
          retry={() => void discounts.refetch()}
          busy={discounts.isFetching}
          what="discounts"
        />
      ) : null}
      {discounts.isError && data ? (
        <StaleNotice
          what="the discounts"
          retry={() => void discounts.refetch()}
          busy={discounts.isFetching}
        />
      ) : null}
      {data && data.discounts.length === 0 ? (
        <Empty title={q ? 'No discounts match your search.' : 'There are no discounts yet.'} />
      ) : null}
      {data && data.discounts.length > 0 ? (
        <div className="card table-card" aria-busy={discounts.isPlaceholderData || undefined}>
          <table className="table stack">
            <caption className="visually-hidden">
              Discounts, page {page} of {pages}
            </caption>
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col">Code</th>
                <th scope="col">Discount</th>
                <th scope="col">Applies</th>
                <th scope="col">State</th>
                <th scope="col" className="actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.discounts.map((discount) => (
                <tr key={discount.id}>
                  <th scope="row">{discount.description}</th>
                  <td data-label="Code">
                    {discount.code ? (
                      <code className="code">{discount.code}</code>
                    ) : (
                      <span className="badge badge-muted">Automatic</span>
                    )}
                  </td>
                  <td data-label="Discount">{describeDiscount(discount)}</td>
                  <td data-label="Applies">{discountScope(discount)}</td>
                  <td data-label="State">{discountState(discount)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="btn btn-secondary btn-sm"
                      aria-label={`Edit ${discount.description}`}
                      onClick={() => setEditing({ kind: 'edit', record: discount })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-danger-ghost btn-sm"
                      aria-label={`Delete ${discount.description}`}
                      onClick={() => setEditing({ kind: 'delete', record: discount })}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pagination page={page} pages={pages} onPage={setPage} label="Discount pages" />

      {editing?.kind === 'new' || editing?.kind === 'edit' ? (
        <Dialog
          title={editing.kind === 'edit' ? `Edit ${editing.record.description}` : 'New discount'}
          onClose={() => setEditing(undefined)}
        >
          <DiscountForm
            {...(editing.kind === 'edit' ? { initial: editing.record } : {})}
            onCancel={() => setEditing(undefined)}
            onSaved={(discount) =>
              saved(editing.kind === 'edit' ? `Saved ${discount.description}.` : 'Discount created.')
            }
          />
        </Dialog>
      ) : null}
      {editing?.kind === 'delete' ? (
        <ConfirmDelete
          name={editing.record.description}
          consequence="Carts stop getting it at their next price check. This cannot be undone."
          onConfirm={() => remove.mutateAsync(editing.record)}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
    </section>
  );
}

export function AdminPage() {
  useTitle('Admin');
  const { user, restoring } = useSession();
  if (restoring) return <Loading what="your session" />;
  if (!user) return <Redirect to="/login" replace />;
  if (!user.roles.includes('admin')) {
    return (
      <section aria-labelledby="admin-title">
        <PageHeading id="admin-title">Admin</PageHeading>
        <p role="alert" className="alert alert-warning">
          This area is for administrators.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="admin-title" className="admin">
      <PageHeading id="admin-title">Admin</PageHeading>
      <ItemsAdmin />
      <DiscountsAdmin />
    </section>
  );
}
