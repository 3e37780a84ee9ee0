import { useEffect, useState } from 'react';
import { MAX_QUANTITY } from '../state/cart';

interface QuantityInputProps {
  id: string;
  /** What is counted, for the buttons' names: "Decrease the quantity of Kettle". */
  of?: string;
  value: number;
  onChange: (quantity: number) => void;
}

/**
 * A quantity from 1 to the most a quote accepts, with − and + buttons. The text can be cleared
 * and retyped; a number above the maximum is brought down at once, and one below 1 or not whole
 * when the box is left, each time with a message saying so.
 */
export function QuantityInput({ id, of, value, onChange }: QuantityInputProps) {
  const [text, setText] = useState(String(value));
  const [message, setMessage] = useState<string | undefined>();
  useEffect(() => setText(String(value)), [value]);

  const set = (quantity: number, note?: string) => {
    setMessage(note);
    setText(String(quantity));
    if (quantity !== value) onChange(quantity);
  };
  const typed = (raw: string, leaving: boolean) => {
    const quantity = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(quantity)) {
      if (leaving) set(value, `Enter a whole number from 1 to ${MAX_QUANTITY}.`);
      return;
    }
    if (quantity > MAX_QUANTITY) set(MAX_QUANTITY, `You can order at most ${MAX_QUANTITY} of one item.`);
    else if (Number.isInteger(quantity) && quantity >= 1) set(quantity);
    else if (leaving)
      set(
        Math.max(1, Math.trunc(quantity)),
        quantity < 1 ? 'The quantity is at least 1.' : 'Enter a whole number.',
      );
  };
  const messageId = `${id}-message`;
  const suffix = of ? ` of ${of}` : '';
  return (
    <div className="quantity">
      <div className="quantity-controls">
        <button
          type="button"
          className="btn btn-secondary"
          aria-label={`Decrease the quantity${suffix}`}
          disabled={value <= 1}
          onClick={() => set(value - 1)}
        >
          −
        </button>
        <input
          id={id}
          className="input"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_QUANTITY}
          step={1}
          value={text}
          aria-describedby={message ? messageId : undefined}
          onChange={(event) => {
            setText(event.target.value);
            typed(event.target.value, false);
          }}
          onBlur={(event) => typed(event.target.value, true)}
        />
        <button
          type="button"
          className="btn btn-secondary"
          aria-label={`Increase the quantity${suffix}`}
          disabled={value >= MAX_QUANTITY}
          onClick={() => set(value + 1)}
        >
          +
        </button>
      </div>
      <p id={messageId} className="quantity-message hint" role="status">
        {message}
      </p>
    </div>
  );
}
