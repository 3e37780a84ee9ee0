import { api } from '../../api/client';
import type { Item } from '../../api/types';
import { AdminCollection } from '../../components/admin/AdminCollection';
import type { Column } from '../../components/admin/AdminCollection';
import type { Errors, FieldMessages, RecordFormSpec } from '../../components/admin/RecordForm';
import { Field } from '../../components/Field';
import { formatPrice } from '../../format';
import { queryKeys, useItems } from '../../state/queries';
import { CATEGORY, CATEGORY_MESSAGE, parseCents } from './values';

type ItemWithImage = Item & { image?: string | null };

const ITEM_MESSAGES: FieldMessages = {
  name: { field: 'name', message: 'Enter a name of 1 to 120 characters.' },
  description: { field: 'description', message: 'Use at most 2,000 characters.' },
  priceCents: { field: 'price', message: 'Enter a price such as 12.50, up to 1,000,000.00.' },
  currency: { field: 'currency', message: 'Enter a three-letter currency code, such as EUR.' },
  category: { field: 'category', message: CATEGORY_MESSAGE },
  stock: { field: 'stock', message: 'Enter a whole number of 0 or more.' },
  image: {
    field: 'image',
    message: 'Enter a picture path such as /images/items/desk-lamp.svg, or leave it empty.',
  },
};

const IMAGE = /^\/images\/[a-z0-9][a-z0-9_-]*(?:\/[a-z0-9][a-z0-9_-]*)*\.(?:svg|png|webp|jpg)$/;

function itemValues(item?: ItemWithImage) {
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

type ItemValues = ReturnType<typeof itemValues>;

/** The checks the items service makes, with the same messages it would get, before anything is sent. */
function checkItem(values: ItemValues): Errors {
  const found: Errors = {};
  const message = (key: string) => ITEM_MESSAGES[key]?.message ?? '';
  const priceCents = parseCents(values.price);
  const stock = Number(values.stock);
  if (!values.name.trim() || values.name.trim().length > 120) found.name = message('name');
  if (values.description.trim().length > 2000) found.description = message('description');
  if (priceCents === undefined || priceCents > 100_000_000) found.price = message('priceCents');
  if (!/^[a-z]{3}$/i.test(values.currency.trim())) found.currency = message('currency');
  if (!CATEGORY.test(values.category.trim())) found.category = message('category');
  if (values.stock.trim() === '' || !Number.isInteger(stock) || stock < 0 || stock > 1e9)
    found.stock = message('stock');
  if (values.image.trim() && !IMAGE.test(values.image.trim())) found.image = message('image');
  return found;
}

async function saveItem(values: ItemValues, item?: ItemWithImage): Promise<ItemWithImage> {
  const image = values.image.trim();
  const body = {
    name: values.name.trim(),
    description: values.description.trim(),
    priceCents: parseCents(values.price),
    currency: values.currency.trim().toUpperCase(),
    category: values.category.trim(),
    stock: Number(values.stock),
    // An emptied picture field removes the picture an item had.
    ...(image ? { image } : item?.image ? { image: null } : {}),
  };
  const saved = item
    ? await api.request<{ item: Item }>('PATCH', `/api/items/${item.id}`, body)
    : await api.post<{ item: Item }>('/api/items', body);
  return saved.item;
}

const itemForm: RecordFormSpec<ItemWithImage, ItemValues> = {
  values: itemValues,
  check: checkItem,
  save: saveItem,
  messages: ITEM_MESSAGES,
  fields: ({ values, set, errors }) => (
    <>
      <Field
        className="wide"
        label="Name"
        name="name"
        value={values.name}
        onChange={set('name')}
        error={errors.name}
        required
      />
      <Field
        className="wide"
        label="Description"
        name="description"
        multiline
        value={values.description}
        onChange={set('description')}
        error={errors.description}
      />
      <Field
        label="Price"
        name="price"
        inputMode="decimal"
        hint="Such as 12.50"
        value={values.price}
        onChange={set('price')}
        error={errors.price}
        required
      />
      <Field
        label="Currency"
        name="currency"
        value={values.currency}
        onChange={set('currency')}
        error={errors.currency}
        required
      />
      <Field
        label="Category"
        name="category"
        value={values.category}
        onChange={set('category')}
        error={errors.category}
        required
      />
      <Field
        label="Stock"
        name="stock"
        inputMode="numeric"
        value={values.stock}
        onChange={set('stock')}
        error={errors.stock}
      />
      <Field
        className="wide"
        label="Picture (optional)"
        name="image"
        hint="A path on this site, such as /images/items/desk-lamp.svg"
        value={values.image}
        onChange={set('image')}
        error={errors.image}
      />
    </>
  ),
};

const itemColumns: Column<ItemWithImage>[] = [
  { heading: 'Category', cell: (item) => item.category },
  { heading: 'Price', numeric: true, cell: (item) => formatPrice(item.priceCents, item.currency) },
  {
    heading: 'Stock',
    numeric: true,
    cell: (item) =>
      item.stock === 0 ? <span className="badge badge-warning">Out of stock</span> : item.stock,
  },
];

/** The catalog's items: their table, search and pages, and their create, edit and delete dialogs. */
export function ItemsAdmin() {
  return (
    <AdminCollection
      words={{ title: 'Items', one: 'item', many: 'items' }}
      useList={useItems}
      entriesOf={(page) => page.items}
      queryKey={queryKeys.allItems}
      nameOf={(item) => item.name}
      nameHeading="Name"
      columns={itemColumns}
      form={itemForm}
      remove={(item) => api.request('DELETE', `/api/items/${item.id}`)}
      deleteConsequence="It leaves the catalog at once; carts that hold it drop it at their next price check. This cannot be undone."
    />
  );
}
