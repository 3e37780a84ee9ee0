import type { QueryFilter } from 'mongoose';
import type { Discount } from './models/discount';

/** The words of a search: runs of letters and digits, each once ("Summer-10 sale" -> Summer, 10, sale). */
export function searchWords(q: string): string[] {
  const words = q.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Map(words.map((word) => [word.toLowerCase(), word])).values()];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The filter for the admin list's `q`: every word must begin a word of the code or of the
 * description, case ignored. A word begins at the start of the text or after a character other
 * than an ASCII letter or digit. Only `$regex` with the `i` option, an anchor and an ASCII class:
 * no text index and no collation, so MongoDB, DocumentDB and FerretDB answer alike. The words are
 * letters and digits only, and escaped all the same.
 */
export function searchFilter(words: string[]): QueryFilter<Discount> {
  return {
    $and: words.map((word) => {
      const $regex = `(?:^|[^A-Za-z0-9])${escapeRegex(word)}`;
      return { $or: [{ code: { $regex, $options: 'i' } }, { description: { $regex, $options: 'i' } }] };
    }),
  };
}
