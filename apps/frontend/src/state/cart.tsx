import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';

export interface CartLine {
  itemId: string;
  quantity: number;
}

interface CartState {
  lines: CartLine[];
  count: number;
  add: (itemId: string, quantity?: number) => void;
  setQuantity: (itemId: string, quantity: number) => void;
  remove: (itemId: string) => void;
  clear: () => void;
}

export const MAX_QUANTITY = 100;
export const MAX_LINES = 50;
const STORAGE_KEY = 'platform.cart';

function load(): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(
        (line): line is CartLine =>
          typeof line === 'object' &&
          line !== null &&
          typeof (line as CartLine).itemId === 'string' &&
          Number.isInteger((line as CartLine).quantity),
      )
      .map((line) => ({ itemId: line.itemId, quantity: Math.min(Math.max(line.quantity, 1), MAX_QUANTITY) }))
      .slice(0, MAX_LINES);
  } catch {
    return [];
  }
}

const clamp = (quantity: number) => Math.min(Math.max(Math.trunc(quantity), 1), MAX_QUANTITY);

const CartContext = createContext<CartState | null>(null);

/** The cart, kept in this browser (it holds item ids and quantities only; prices come from a quote). */
export function CartProvider({ children }: { children: ReactNode }) {
  const [lines, setLines] = useState<CartLine[]>(load);

  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(lines));
  }, [lines]);

  const add = useCallback((itemId: string, quantity = 1) => {
    setLines((current) => {
      const existing = current.find((line) => line.itemId === itemId);
      if (existing) {
        return current.map((line) =>
          line.itemId === itemId ? { itemId, quantity: clamp(line.quantity + quantity) } : line,
        );
      }
      return current.length >= MAX_LINES ? current : [...current, { itemId, quantity: clamp(quantity) }];
    });
  }, []);
  const setQuantity = useCallback((itemId: string, quantity: number) => {
    setLines((current) =>
      current.map((line) => (line.itemId === itemId ? { itemId, quantity: clamp(quantity) } : line)),
    );
  }, []);
  const remove = useCallback((itemId: string) => {
    setLines((current) => current.filter((line) => line.itemId !== itemId));
  }, []);
  const clear = useCallback(() => setLines([]), []);

  const value = useMemo(
    () => ({
      lines,
      count: lines.reduce((sum, line) => sum + line.quantity, 0),
      add,
      setQuantity,
      remove,
      clear,
    }),
    [lines, add, setQuantity, remove, clear],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartState {
  const state = useContext(CartContext);
  if (!state) throw new Error('useCart() outside <CartProvider>');
  return state;
}
