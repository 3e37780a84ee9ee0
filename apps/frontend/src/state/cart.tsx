import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';

/**
 * A line of the cart: the item and how many. The name and picture are remembered from when it was
 * added, so the line can be shown (and removed) while prices cannot be had; prices always come
 * from a quote.
 */
export interface CartLine {
  itemId: string;
  quantity: number;
  name?: string;
  image?: string;
}

/** What the cart remembers of an item besides its id. */
export interface CartItemInfo {
  name?: string | undefined;
  image?: string | null | undefined;
}

interface CartState {
  lines: CartLine[];
  count: number;
  add: (itemId: string, quantity?: number, info?: CartItemInfo) => void;
  setQuantity: (itemId: string, quantity: number) => void;
  remove: (itemId: string) => void;
  clear: () => void;
  /** Remembers the current names of items (from a quote), for when prices cannot be had. */
  rememberNames: (names: Record<string, string>) => void;
}

/** The largest quantity of one line a quote accepts (the discounts service's quote schema). */
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
      .map((line) => ({
        itemId: line.itemId,
        quantity: Math.min(Math.max(line.quantity, 1), MAX_QUANTITY),
        ...(typeof line.name === 'string' ? { name: line.name } : {}),
        ...(typeof line.image === 'string' ? { image: line.image } : {}),
      }))
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

  const add = useCallback((itemId: string, quantity = 1, info: CartItemInfo = {}) => {
    const remembered = {
      ...(info.name ? { name: info.name } : {}),
      ...(info.image ? { image: info.image } : {}),
    };
    setLines((current) => {
      const existing = current.find((line) => line.itemId === itemId);
      if (existing) {
        return current.map((line) =>
          line.itemId === itemId
            ? { ...line, ...remembered, quantity: clamp(line.quantity + quantity) }
            : line,
        );
      }
      return current.length >= MAX_LINES
        ? current
        : [...current, { itemId, quantity: clamp(quantity), ...remembered }];
    });
  }, []);
  const setQuantity = useCallback((itemId: string, quantity: number) => {
    setLines((current) =>
      current.map((line) => (line.itemId === itemId ? { ...line, quantity: clamp(quantity) } : line)),
    );
  }, []);
  const rememberNames = useCallback((names: Record<string, string>) => {
    setLines((current) =>
      current.some((line) => names[line.itemId] !== undefined && names[line.itemId] !== line.name)
        ? current.map((line) =>
            names[line.itemId] === undefined ? line : { ...line, name: names[line.itemId] },
          )
        : current,
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
      rememberNames,
    }),
    [lines, add, setQuantity, remove, clear, rememberNames],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartState {
  const state = useContext(CartContext);
  if (!state) throw new Error('useCart() outside <CartProvider>');
  return state;
}
