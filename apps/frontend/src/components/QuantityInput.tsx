import { useEffect, useState } from 'react';
import { MAX_QUANTITY } from '../state/cart';

interface QuantityInputProps {
  id: string;
  value: number;
  onChange: (quantity: number) => void;
}

/**
 * A quantity box that can be cleared and retyped: the text is kept as typed, and only a whole
 * number from 1 to the maximum is passed on. Leaving the box restores the last good value.
 */
export function QuantityInput({ id, value, onChange }: QuantityInputProps) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  return (
    <input
      id={id}
      type="number"
      min={1}
      max={MAX_QUANTITY}
      step={1}
      value={text}
      onChange={(event) => {
        setText(event.target.value);
        const quantity = Number(event.target.value);
        if (Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY) onChange(quantity);
      }}
      onBlur={() => setText(String(value))}
    />
  );
}
