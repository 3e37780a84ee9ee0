import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import type { Quote } from '../api/types';
import { Field } from '../components/Field';
import { Empty, ErrorState, Loading } from '../components/states';
import { formatPrice } from '../format';
import { QuantityInput } from '../components/QuantityInput';
import { useCart } from '../state/cart';

type QuoteState =
  { status: 'loading' } | { status: 'ready'; quote: Quote } | { status: 'error'; error: Error };

export function CartPage() {
  const { lines, setQuantity, remove } = useCart();
  const [codeInput, setCodeInput] = useState('');
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [state, setState] = useState<QuoteState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const key = JSON.stringify({ lines, code, attempt });
  useEffect(() => {
    if (lines.length === 0) return;
    let current = true;
    setState({ status: 'loading' });
    // A short pause, so typing a quantity asks for one quote, not one per keystroke.
    const timer = setTimeout(() => {
      api.post<Quote>('/api/discounts/quote', { lines, ...(code ? { code } : {}) }).then(
        (quote) => current && setState({ status: 'ready', quote }),
        (error: unknown) => {
          if (!current) return;
          if (error instanceof ApiError && error.code === 'INVALID_CODE') {
            setCodeError('This code is not valid (unknown, expired or not yet started).');
            setCode('');
            return;
          }
          if (error instanceof ApiError && error.code === 'UNKNOWN_ITEM') {
            const gone = (error.details as { itemIds?: string[] } | undefined)?.itemIds ?? [];
            gone.forEach(remove);
            setNotice(
              `${gone.length === 1 ? 'An item' : 'Some items'} in your cart no longer exist and were removed.`,
            );
            return;
          }
          setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
        },
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `key` covers lines, code and retries.
  }, [key]);

  if (lines.length === 0) {
    return (
      <section aria-labelledby="cart-title">
        <h1 id="cart-title">Your cart</h1>
        {notice ? <p role="status">{notice}</p> : null}
        <Empty>
          Your cart is empty. <Link to="/">Browse the catalog</Link>
        </Empty>
      </section>
    );
  }

  const quote = state.status === 'ready' ? state.quote : undefined;
  const money = (cents: number) => formatPrice(cents, quote?.currency ?? 'EUR');
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      {notice ? <p role="status">{notice}</p> : null}
      {state.status === 'loading' ? <Loading what="your prices" /> : null}
      {state.status === 'error' ? (
        <ErrorState error={state.error} retry={() => setAttempt((n) => n + 1)} what="your prices" />
      ) : null}
      {quote ? (
        <table className="cart">
          <caption className="visually-hidden">Items in your cart</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Unit price</th>
              <th scope="col">Quantity</th>
              <th scope="col">Discount</th>
              <th scope="col">Total</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {quote.lines.map((line) => (
              <tr key={line.itemId}>
                <th scope="row">
                  <Link to={`/items/${line.itemId}`}>{line.name}</Link>
                </th>
                <td>{money(line.unitPriceCents)}</td>
                <td>
                  <label className="visually-hidden" htmlFor={`quantity-${line.itemId}`}>
                    Quantity of {line.name}
                  </label>
                  <QuantityInput
                    id={`quantity-${line.itemId}`}
                    value={lines.find((entry) => entry.itemId === line.itemId)?.quantity ?? line.quantity}
                    onChange={(quantity) => setQuantity(line.itemId, quantity)}
                  />
                </td>
                <td>{line.discountCents > 0 ? `−${money(line.discountCents)}` : '—'}</td>
                <td>{money(line.lineTotalCents)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => remove(line.itemId)}
                    aria-label={`Remove ${line.name}`}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={4}>
                Subtotal
              </th>
              <td data-testid="subtotal">{money(quote.subtotalCents)}</td>
            </tr>
            <tr>
              <th scope="row" colSpan={4}>
                Discounts
              </th>
              <td data-testid="discount">
                {quote.discountCents > 0 ? `−${money(quote.discountCents)}` : '—'}
              </td>
            </tr>
            <tr>
              <th scope="row" colSpan={4}>
                Total
              </th>
              <td data-testid="total">
                <strong>{money(quote.totalCents)}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      ) : null}
      {quote && quote.appliedDiscounts.length > 0 ? (
        <ul aria-label="Applied discounts" className="applied">
          {quote.appliedDiscounts.map((applied) => (
            <li key={applied.id}>
              {applied.description}
              {applied.code ? ` (${applied.code})` : ''}: −{money(applied.discountCents)}
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="code"
        onSubmit={(event) => {
          event.preventDefault();
          setCodeError(undefined);
          setCode(codeInput.trim().toUpperCase());
        }}
      >
        <Field
          label="Discount code"
          name="code"
          value={codeInput}
          onChange={setCodeInput}
          error={codeError}
        />
        <button type="submit">Apply</button>
      </form>
    </section>
  );
}
