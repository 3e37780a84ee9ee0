/** Longest prefix stored per word; longer search words are cut to it and still match. */
export const MAX_TERM_LENGTH = 20;

/** Lower-cased words of letters and digits, accents removed: "Crème Brûlée-2" -> ["creme", "brulee", "2"]. */
export function words(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * The terms stored with an item for search: every prefix of every word of its name. A query
 * matches when each of its words is a prefix of some word of the name, so search is plain text,
 * case- and accent-insensitive, and answered from a multikey index with exact lookups: the query
 * text is never a regular expression or an operator.
 */
export function searchTerms(name: string): string[] {
  const terms = new Set<string>();
  for (const word of words(name)) {
    for (let length = 1; length <= Math.min(word.length, MAX_TERM_LENGTH); length++)
      terms.add(word.slice(0, length));
  }
  return [...terms];
}

/** The words a query must match, each cut to the stored prefix length. */
export function queryTerms(q: string): string[] {
  return [...new Set(words(q).map((word) => word.slice(0, MAX_TERM_LENGTH)))];
}
