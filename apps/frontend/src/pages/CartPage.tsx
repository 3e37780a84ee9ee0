import { useEffect, useMemo, useState } from 'react';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, ApiError } from '../api/client';
import type { Quote } from '../api/types';
import { Field } from '../components/Field';
import { ItemImage } from '../components/ItemImage';
import { PageHeading, useTitle } from '../components/page';
import { QuantityInput } from '../components/QuantityInput';
import { Empty, ErrorState, isUnavailable, StaleNotice } from '../components/states';
import { formatPrice } from '../format';
import { useCart } from '../state/cart';
import { queryClient } from '../state/query-client';

type PricedLine = { itemId: string; quantity: number };

const quoteKey = (lines: string, code: string) => ['quote', lines, code] as const;

function askQuote(lines: PricedLine[], code: string): Promise<Quote> {
  return api.post<Quote>('/api/discounts/quote', { lines, ...(code ? { code } : {}) });
}

/** The value, once it has stopped changing for `delay` ms. */
function useSettled<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

function goneItems(error: unknown): string[] | undefined {
  if (!(error instanceof ApiError) || error.code !== 'UNKNOWN_ITEM') return undefined;
  return (error.details as { itemIds?: string[] } | undefined)?.itemIds ?? [];
}

export function CartPage() {
  useTitle('Your cart');
  const { lines, setQuantity, remove, rememberNames } = useCart();
  const [codeInput, setCodeInput] = useState('');
  const [appliedCode, setAppliedCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const [codeNote, setCodeNote] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();

  // A short pause, so typing a quantity asks for one quote, not one per keystroke.
  const linesKey = JSON.stringify(lines.map(({ itemId, quantity }) => ({ itemId, quantity })));
  const pricedKey = useSettled(linesKey, 250);
  const priced = useMemo(() => JSON.parse(pricedKey) as PricedLine[], [pricedKey]);

  const quote = useQuery(
    {
      queryKey: quoteKey(pricedKey, appliedCode),
      queryFn: () => askQuote(priced, appliedCode),
      enabled: priced.length > 0,
      placeholderData: keepPreviousData,
      staleTime: 0,
    },
    queryClient,
  );

  const dropGone = (gone: string[]) => {
    gone.forEach(remove);
    setNotice(
      gone.length === 1
        ? 'An item in your cart no longer exists and was removed.'
        : 'Some items in your cart no longer exist and were removed.',
    );
  };

  useEffect(() => {
    const error = quote.error;
    const gone = goneItems(error);
    if (gone) dropGone(gone);
    else if (error instanceof ApiError && error.code === 'INVALID_CODE' && appliedCode) {
      setCodeError(`${appliedCode} no longer applies: it has ended or was withdrawn.`);
      setAppliedCode('');
    }
    // Reacts to a new failure only.
  }, [quote.error]);

  // The last prices the service gave: shown, marked out of date, when a later check fails (a
  // failed query for new quantities has no data of its own).
  const [lastPriced, setLastPriced] = useState<Quote | undefined>();
  useEffect(() => {
    if (quote.data && !quote.isPlaceholderData) {
      setLastPriced(quote.data);
      rememberNames(Object.fromEntries(quote.data.lines.map((line) => [line.itemId, line.name])));
    }
  }, [quote.data, quote.isPlaceholderData, rememberNames]);

  const apply = useMutation(
    {
      mutationFn: (code: string) =>
        askQuote(
          lines.map(({ itemId, quantity }) => ({ itemId, quantity })),
          code,
        ),
      onSuccess: (answer, code) => {
        queryClient.setQueryData(quoteKey(linesKey, code), answer);
        setAppliedCode(code);
        setCodeInput('');
        setCodeError(undefined);
        setCodeNote(
          answer.appliedDiscounts.some((applied) => applied.code === code)
            ? `${code} is applied.`
            : `${code} is applied, but takes nothing off these items: it covers other items, or an offer already gives more.`,
        );
      },
      onError: (error, code) => {
        setCodeNote(undefined);
        const kept = appliedCode ? ` ${appliedCode} still applies.` : '';
        const gone = goneItems(error);
        if (gone) {
          dropGone(gone);
          setCodeError(`Please apply ${code} again: your cart changed.${kept}`);
        } else if (error instanceof ApiError && error.code === 'INVALID_CODE')
          setCodeError(
            `This code is not valid: ${code} is unknown, has ended or has not started yet.${kept}`,
          );
        else if (isUnavailable(error))
          setCodeError(`We couldn't check ${code} right now: the service is unavailable.${kept}`);
        else setCodeError(`${code} wasn't applied: ${error.message}${kept}`);
      },
    },
    queryClient,
  );

  if (lines.length === 0) {
    return (
      <section aria-labelledby="cart-title">
        <PageHeading id="cart-title">Your cart</PageHeading>
        {notice ? (
          <p role="status" className="alert alert-info">
            {notice}
          </p>
        ) : null}
        <Empty title="Your cart is empty.">
          <p>
            <Link to="/">Browse the catalog</Link>
          </p>
        </Empty>
      </section>
    );
  }

  const data = quote.data ?? (lines.length > 0 ? lastPriced : undefined);
  const current = quote.data && !quote.isPlaceholderData && pricedKey === linesKey;
  const money = (cents: number) => formatPrice(cents, data?.currency ?? 'EUR');
  const count = lines.reduce((sum, line) => sum + line.quantity, 0);
  const updating = quote.isFetching || pricedKey !== linesKey;
  const failed = quote.isError && !quote.isFetching;

  return (
    <section aria-labelledby="cart-title" className="cart-page">
      <div className="page-head">
        <PageHeading id="cart-title">Your cart</PageHeading>
        <p className="count">
          {count} {count === 1 ? 'item' : 'items'}
        </p>
      </div>
      {notice ? (
        <p role="status" className="alert alert-info">
          {notice}
        </p>
      ) : null}
      {failed && !goneItems(quote.error) && !data ? (
        <ErrorState error={quote.error} retry={() => void quote.refetch()} what="your prices" />
      ) : null}
      {failed && data ? (
        <StaleNotice what="your prices" retry={() => void quote.refetch()}>
          We couldn&apos;t update your prices, so the totals below may be out of date. You can still change or
          remove items.
        </StaleNotice>
      ) : null}
      <div className="cart-layout">
        <ul className="cart-lines" aria-label="Items in your cart" aria-busy={updating || undefined}>
          {lines.map((line) => {
            const priceLine = data?.lines.find((entry) => entry.itemId === line.itemId);
            const name = priceLine?.name ?? line.name ?? 'An item';
            return (
              <li key={line.itemId} className="cart-line card">
                <ItemImage image={line.image} size="thumb" className="cart-line-image" />
                <div className="cart-line-main">
                  <h2 className="cart-line-name">
                    <Link to={`/items/${line.itemId}`}>{name}</Link>
                  </h2>
                  {priceLine ? (
                    <p className="hint">{money(priceLine.unitPriceCents)} each</p>
                  ) : quote.isPending && quote.isFetching ? (
                    <span className="skeleton skeleton-line cart-line-price-skeleton" aria-hidden="true" />
                  ) : (
                    <p className="hint">Price not available</p>
                  )}
                  {priceLine && priceLine.discountCents > 0 ? (
                    <span className="badge badge-offer">−{money(priceLine.discountCents)}</span>
                  ) : null}
                </div>
                <div className="cart-line-quantity">
                  <label className="visually-hidden" htmlFor={`quantity-${line.itemId}`}>
                    Quantity of {name}
                  </label>
                  <QuantityInput
                    id={`quantity-${line.itemId}`}
                    of={name}
                    value={line.quantity}
                    onChange={(quantity) => setQuantity(line.itemId, quantity)}
                  />
                </div>
                <p className="cart-line-total">
                  {priceLine && priceLine.quantity === line.quantity ? (
                    <>
                      {priceLine.discountCents > 0 ? (
                        <s className="hint">{money(priceLine.lineSubtotalCents)}</s>
                      ) : null}{' '}
                      <strong>{money(priceLine.lineTotalCents)}</strong>
                    </>
                  ) : (
                    <span className="hint">—</span>
                  )}
                </p>
                <button
                  type="button"
                  className="btn btn-danger-ghost btn-sm cart-line-remove"
                  onClick={() => remove(line.itemId)}
                  aria-label={`Remove ${name}`}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>

        <aside className="cart-summary card panel" aria-labelledby="summary-title">
          <h2 id="summary-title">Summary</h2>
          <p role="status" className="hint summary-status">
            {updating ? 'Updating your prices…' : ''}
          </p>
          <dl className="totals">
            <div>
              <dt>Subtotal</dt>
              <dd data-testid="subtotal">{data ? money(data.subtotalCents) : '—'}</dd>
            </div>
            <div>
              <dt>Discounts</dt>
              <dd data-testid="discount">
                {data && data.discountCents > 0 ? `−${money(data.discountCents)}` : '—'}
              </dd>
            </div>
            {data && data.appliedDiscounts.length > 0 ? (
              <div className="applied-row">
                <dt className="visually-hidden">Applied discounts</dt>
                <dd>
                  <ul aria-label="Applied discounts" className="applied">
                    {data.appliedDiscounts.map((applied) => (
                      <li key={applied.id}>
                        <span>
                          {applied.description}
                          {applied.code ? ` (${applied.code})` : ''}
                        </span>
                        <span>−{money(applied.discountCents)}</span>
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
            <div className="total-row">
              <dt>Total</dt>
              <dd data-testid="total">
                <strong>{data ? money(data.totalCents) : '—'}</strong>
              </dd>
            </div>
          </dl>
          {!current && data && !updating ? <p className="hint">These totals may be out of date.</p> : null}

          {appliedCode ? (
            <p className="applied-code">
              <span className="badge badge-accent">Code {appliedCode}</span>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => {
                  setAppliedCode('');
                  setCodeNote(`${appliedCode} was removed.`);
                  setCodeError(undefined);
                }}
              >
                Remove code
              </button>
            </p>
          ) : null}
          <form
            className="code-form"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              const code = codeInput.trim().toUpperCase();
              setCodeNote(undefined);
              if (!code) setCodeError('Enter a discount code.');
              else if (code === appliedCode) setCodeError(`${code} is already applied.`);
              else {
                setCodeError(undefined);
                apply.mutate(code);
              }
            }}
          >
            <Field
              label="Discount code"
              name="code"
              value={codeInput}
              onChange={setCodeInput}
              error={codeError}
              autoComplete="off"
            />
            <button type="submit" className="btn btn-secondary" disabled={apply.isPending}>
              {apply.isPending ? 'Checking…' : 'Apply'}
            </button>
          </form>
          <p role="status" className="hint">
            {codeNote}
          </p>
        </aside>
      </div>
    </section>
  );
}
