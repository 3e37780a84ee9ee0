/** "12.34" -> 1234 cents; undefined when it is not a price. */
export function parseCents(text: string): number | undefined {
  const match = /^\s*(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** A category as the items and discounts services accept it. */
export const CATEGORY = /^[a-z0-9][a-z0-9 &-]{0,49}$/i;

export const CATEGORY_MESSAGE =
  'Enter a category of up to 50 letters, digits, spaces, & or -, starting with a letter or digit.';
