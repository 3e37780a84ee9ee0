import type { ReactNode } from 'react';
import { api, ApiError } from '../../api/client';
import type { AppliesTo, Discount } from '../../api/types';
import { AdminCollection } from '../../components/admin/AdminCollection';
import type { Column } from '../../components/admin/AdminCollection';
import type { Errors, FieldMessages, RecordFormSpec } from '../../components/admin/RecordForm';
import { Field, SelectField } from '../../components/Field';
import { describeDiscount } from '../../format';
import { discountScope } from '../../offers';
import { queryKeys, useDiscounts } from '../../state/queries';
import { CATEGORY, CATEGORY_MESSAGE, parseCents } from './values';

const DISCOUNT_MESSAGES: FieldMessages = {
  code: {
    field: 'code',
    message: 'Use 3 to 32 letters, digits or dashes, or leave it empty for an automatic discount.',
  },
  description: { field: 'description', message: 'Enter a description of 1 to 200 characters.' },
  percentOff: { field: 'value', message: 'Enter a percentage between 1 and 100.' },
  amountOffCents: { field: 'value', message: 'Enter an amount of at least 0.01, such as 5.00.' },
  appliesTo: { field: 'category', message: CATEGORY_MESSAGE },
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

/** The form's values as its inputs hold them; `kind` and `scope` are the values of their selects. */
interface DiscountValues {
  code: string;
  description: string;
  kind: string;
  value: string;
  scope: string;
  category: string;
  startsAt: string;
  endsAt: string;
  active: boolean;
}

function discountValues(discount?: Discount): DiscountValues {
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

/** The checks the discounts service makes, with the form's messages, before anything is sent. */
function checkDiscount(values: DiscountValues): Errors {
  const found: Errors = {};
  const message = (key: string) => DISCOUNT_MESSAGES[key]?.message ?? '';
  const code = values.code.trim().toUpperCase();
  if (code && !CODE.test(code)) found.code = message('code');
  const description = values.description.trim();
  if (!description || description.length > 200) found.description = message('description');
  if (values.kind === 'percent') {
    const percent = Number(values.value);
    if (!values.value.trim() || !Number.isInteger(percent) || percent < 1 || percent > 100)
      found.value = message('percentOff');
  } else {
    const cents = parseCents(values.value);
    if (cents === undefined || cents < 1 || cents > 100_000_000) found.value = message('amountOffCents');
  }
  if (values.scope === 'category' && !CATEGORY.test(values.category.trim()))
    found.category = message('appliesTo');
  if (values.startsAt && Number.isNaN(new Date(values.startsAt).getTime()))
    found.startsAt = message('startsAt');
  if (values.endsAt && Number.isNaN(new Date(values.endsAt).getTime())) found.endsAt = message('endsAt');
  else if (values.startsAt && values.endsAt && new Date(values.endsAt) <= new Date(values.startsAt))
    found.endsAt = 'The end must come after the start.';
  return found;
}

async function saveDiscount(values: DiscountValues, discount?: Discount): Promise<Discount> {
  const code = values.code.trim().toUpperCase();
  const amount = values.kind === 'percent' ? Number(values.value) : parseCents(values.value);
  const appliesTo: AppliesTo =
    values.scope === 'category'
      ? { type: 'category', category: values.category.trim() }
      : values.scope === 'items' && discount?.appliesTo.type === 'items'
        ? discount.appliesTo
        : { type: 'all' };
  const fields = {
    code: code || null,
    description: values.description.trim(),
    percentOff: values.kind === 'percent' ? amount : null,
    amountOffCents: values.kind === 'amount' ? amount : null,
    appliesTo,
    startsAt: values.startsAt ? new Date(values.startsAt).toISOString() : null,
    endsAt: values.endsAt ? new Date(values.endsAt).toISOString() : null,
    active: values.active,
  };
  // A new discount leaves out what it does not have; an edit clears it with null.
  const body = discount
    ? fields
    : Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
  const saved = discount
    ? await api.request<{ discount: Discount }>('PATCH', `/api/discounts/${discount.id}`, body)
    : await api.post<{ discount: Discount }>('/api/discounts', body);
  return saved.discount;
}

const discountForm: RecordFormSpec<Discount, DiscountValues> = {
  values: discountValues,
  check: checkDiscount,
  save: saveDiscount,
  messages: DISCOUNT_MESSAGES,
  refusal: (error) =>
    error instanceof ApiError && error.code === 'CODE_TAKEN'
      ? { code: 'Another discount already uses this code.' }
      : undefined,
  fields: ({ values, set, errors, record }) => (
    <>
      <Field
        className="wide"
        label="Description"
        name="description"
        value={values.description}
        onChange={set('description')}
        error={errors.description}
        required
      />
      <Field
        label="Code"
        name="code"
        hint="Empty for an automatic discount"
        value={values.code}
        onChange={set('code')}
        error={errors.code}
        autoComplete="off"
      />
      <SelectField label="Kind" name="kind" value={values.kind} onChange={set('kind')}>
        <option value="percent">Percent off</option>
        <option value="amount">Amount off each unit</option>
      </SelectField>
      <Field
        label={values.kind === 'percent' ? 'Percent' : 'Amount'}
        name="value"
        inputMode="decimal"
        hint={values.kind === 'percent' ? 'From 1 to 100' : 'Such as 5.00'}
        value={values.value}
        onChange={set('value')}
        error={errors.value}
        required
      />
      <SelectField label="Applies to" name="scope" value={values.scope} onChange={set('scope')}>
        <option value="all">Everything</option>
        <option value="category">One category</option>
        {record?.appliesTo.type === 'items' ? (
          <option value="items">The {record.appliesTo.itemIds.length} selected items</option>
        ) : null}
      </SelectField>
      {values.scope === 'category' ? (
        <Field
          label="Category"
          name="category"
          value={values.category}
          onChange={set('category')}
          error={errors.category}
          required
        />
      ) : null}
      <Field
        label="Starts (optional)"
        name="startsAt"
        type="datetime-local"
        value={values.startsAt}
        onChange={set('startsAt')}
        error={errors.startsAt}
      />
      <Field
        label="Ends (optional)"
        name="endsAt"
        type="datetime-local"
        value={values.endsAt}
        onChange={set('endsAt')}
        error={errors.endsAt}
      />
      <label className="check wide">
        <input
          type="checkbox"
          name="active"
          checked={values.active}
          onChange={(event) => set('active')(event.target.checked)}
        />
        Active
      </label>
    </>
  ),
};

function discountState(discount: Discount, now = Date.now()): ReactNode {
  if (!discount.active) return <span className="badge badge-muted">Off</span>;
  if (discount.startsAt && new Date(discount.startsAt).getTime() > now)
    return <span className="badge badge-warning">Scheduled</span>;
  if (discount.endsAt && new Date(discount.endsAt).getTime() <= now)
    return <span className="badge badge-muted">Ended</span>;
  return <span className="badge badge-success">In force</span>;
}

const discountColumns: Column<Discount>[] = [
  {
    heading: 'Code',
    cell: (discount) =>
      discount.code ? (
        <code className="code">{discount.code}</code>
      ) : (
        <span className="badge badge-muted">Automatic</span>
      ),
  },
  { heading: 'Discount', cell: describeDiscount },
  { heading: 'Applies', cell: discountScope },
  { heading: 'State', cell: (discount) => discountState(discount) },
];

/** Every discount, automatic or with a code: table, search and pages, create, edit and delete. */
export function DiscountsAdmin() {
  return (
    <AdminCollection
      words={{ title: 'Discounts', one: 'discount', many: 'discounts' }}
      useList={useDiscounts}
      entriesOf={(page) => page.discounts}
      queryKey={queryKeys.allDiscounts}
      nameOf={(discount) => discount.description}
      nameHeading="Description"
      columns={discountColumns}
      form={discountForm}
      remove={(discount) => api.request('DELETE', `/api/discounts/${discount.id}`)}
      deleteConsequence="Carts stop getting it at their next price check. This cannot be undone."
    />
  );
}
