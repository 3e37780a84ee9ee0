import type { Connection, HydratedDocument, Model, Types } from 'mongoose';
import { Schema } from 'mongoose';
import type { AppliesTo } from '../pricing';
import { normaliseAppliesTo } from '../rules';

export interface Discount {
  /** Upper-case code, or null for an automatic discount. */
  code: string | null;
  /**
   * Unique: the code itself, or `auto:<id>` for automatic discounts. A unique index on `code`
   * alone would allow one automatic discount only, and partial indexes are not portable.
   */
  codeKey: string;
  description: string;
  percentOff?: number;
  amountOffCents?: number;
  appliesTo: AppliesTo;
  startsAt?: Date;
  endsAt?: Date;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type DiscountDocument = HydratedDocument<Discount>;

const appliesToSchema = new Schema(
  {
    type: { type: String, enum: ['all', 'category', 'items'], required: true },
    category: { type: String },
    itemIds: { type: [String], default: undefined },
  },
  { _id: false },
);

const discountSchema = new Schema<Discount>(
  {
    code: { type: String, default: null },
    codeKey: { type: String, required: true, unique: true },
    description: { type: String, required: true },
    percentOff: { type: Number },
    amountOffCents: { type: Number },
    appliesTo: { type: appliesToSchema, required: true },
    startsAt: { type: Date },
    endsAt: { type: Date },
    active: { type: Boolean, default: true },
  },
  { collection: 'discounts', timestamps: true, strict: 'throw' },
);
discountSchema.index({ code: 1, active: 1 });
// The admin list's order (routes/discounts-routes.ts, LIST_SORT).
discountSchema.index({ createdAt: -1, _id: -1 });

export function discountModel(connection: Connection): Model<Discount> {
  return (
    (connection.models.Discount as Model<Discount> | undefined) ??
    connection.model<Discount>('Discount', discountSchema)
  );
}

export const codeKeyFor = (code: string | null, id: Types.ObjectId) => code ?? `auto:${id.toString()}`;

type StoredDiscount = Discount & { _id: Types.ObjectId };

/** The `discount` object of docs/contract.md §3.5: absent optional fields are left out. */
export function toPublicDiscount(discount: StoredDiscount) {
  return {
    id: discount._id.toString(),
    ...(discount.code ? { code: discount.code } : {}),
    description: discount.description,
    ...(discount.percentOff !== undefined && discount.percentOff !== null
      ? { percentOff: discount.percentOff }
      : {}),
    ...(discount.amountOffCents !== undefined && discount.amountOffCents !== null
      ? { amountOffCents: discount.amountOffCents }
      : {}),
    appliesTo: normaliseAppliesTo(discount.appliesTo),
    ...(discount.startsAt ? { startsAt: discount.startsAt.toISOString() } : {}),
    ...(discount.endsAt ? { endsAt: discount.endsAt.toISOString() } : {}),
    active: discount.active,
    createdAt: discount.createdAt.toISOString(),
    updatedAt: discount.updatedAt.toISOString(),
  };
}
