/**
 * The platform's API types as the web app uses them, derived from the types generated from each
 * service's OpenAPI document (src/api/generated, by `npm run api-types -w @platform/frontend`),
 * by operation id. When a service changes what it answers or accepts, the generated types change
 * and the compiler points at every page that has to follow.
 */
import type { operations as Auth } from './generated/auth';
import type { operations as Discounts } from './generated/discounts';
import type { operations as Items } from './generated/items';

/** The JSON body of an operation's answer with the given status. */
type Answer<Operation, Status extends number> = Operation extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** The JSON body an operation takes. */
type RequestBody<Operation> = Operation extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

// auth

export type User = Answer<Auth['me'], 200>['user'];
export type Role = User['roles'][number];
/** What the app keeps of a login or refresh answer (held in memory only). */
export type Session = Pick<Answer<Auth['login'], 200>, 'accessToken' | 'expiresIn' | 'user'>;
export type Credentials = RequestBody<Auth['login']>;
export type Registration = RequestBody<Auth['register']>;

// items

export type Item = Answer<Items['getItem'], 200>['item'];
/** A page of the catalog: `GET /api/items` without `ids` always answers with the paging fields. */
export type ItemPage = Required<Answer<Items['listItems'], 200>>;
export type ItemInput = RequestBody<Items['createItem']>;
export type ItemChanges = RequestBody<Items['updateItem']>;
export type Categories = Answer<Items['listCategories'], 200>;

// discounts

export type Discount = Answer<Discounts['listActiveDiscounts'], 200>['discounts'][number];
export type AppliesTo = Discount['appliesTo'];
/** A page of every discount, for the admin (`GET /api/discounts`). */
export type DiscountPage = Answer<Discounts['listDiscounts'], 200>;
export type DiscountInput = RequestBody<Discounts['createDiscount']>;
export type DiscountChanges = RequestBody<Discounts['updateDiscount']>;
export type QuoteRequest = RequestBody<Discounts['quote']>;
export type Quote = Answer<Discounts['quote'], 200>;
export type QuoteLine = Quote['lines'][number];
