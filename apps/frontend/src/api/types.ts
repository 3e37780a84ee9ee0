export type Role = 'user' | 'admin';

export interface User {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
}

export interface Item {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  category: string;
  stock: number;
  createdAt: string;
  updatedAt: string;
}

export interface ItemPage {
  items: Item[];
  page: number;
  limit: number;
  total: number;
}

export type AppliesTo =
  { type: 'all' } | { type: 'category'; category: string } | { type: 'items'; itemIds: string[] };

export interface Discount {
  id: string;
  code?: string;
  description: string;
  percentOff?: number;
  amountOffCents?: number;
  appliesTo: AppliesTo;
  startsAt?: string;
  endsAt?: string;
  active: boolean;
}

export interface QuoteLine {
  itemId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
  lineSubtotalCents: number;
  discountCents: number;
  lineTotalCents: number;
}

export interface Quote {
  lines: QuoteLine[];
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  currency: string;
  appliedDiscounts: { id: string; code: string | null; description: string; discountCents: number }[];
}

export interface Session {
  accessToken: string;
  expiresIn: number;
  user: User;
}
