import { isValidObjectId } from 'mongoose';
import { z } from 'zod';

/** A database id in a path or body: 24 hex characters. Malformed ids are a 400, never a 404 or 500. */
export const objectId = () =>
  z
    .string()
    .regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hexadecimal id')
    .refine(isValidObjectId, 'is not a valid id');

export const idParams = z.object({ id: objectId() });

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 currency code; lower-case input is upper-cased. */
export const currencyCode = () =>
  z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => CURRENCIES.has(code), 'must be an ISO 4217 currency code such as EUR or USD')
    // The check above is code, invisible to the OpenAPI document: list the codes it accepts.
    .meta({ enum: [...CURRENCIES].sort() });

/** A whole number from a query string (`?page=2`), with bounds. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/**
 * A catalog category, as items stores it and discounts scopes to it: trimmed and lower-cased, so
 * "Kitchen" and "kitchen " name the same category everywhere.
 */
export const categoryName = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9 &-]{0,49}$/, 'must be 1-50 letters, digits, spaces, "&" or "-"');
