import { z } from 'zod';
import type { ProductFacts } from '../catalog/product.js';
import type { PromotionFacts } from '../catalog/promotion.js';
import { Money, moneyOf } from '../shared/money.js';
import { basisPoints } from '../shared/percent.js';

/**
 * The arithmetic of prices and discounts, shared by the quote that prices its lines (QUO-12,
 * QUO-13) and the compliance rules that judge what was offered (CMP-04, CMP-05), so both judge
 * the same figure. Integer minor units are multiplied in bigint, so products of large amounts
 * stay exact until the quote has checked them against the amount limit (QUO-27).
 */

/**
 * A priced line, as stored in QuoteDrafted (a contract, changed only by adding fields or upcasting).
 * It keeps the catalog facts it was priced against (list and floor price, the promotion's
 * discount), so approval is judged on the quote as drafted, whatever the catalog does later.
 * listTotal = qty x listPrice; netTotal = qty x unitPrice less discountPct; discountAmount = listTotal - netTotal,
 * so a unit price under list shows as discount too.
 */
export const QuoteLineData = z.object({
  sku: z.string(),
  qty: z.number().int().positive(),
  listPrice: Money,
  floorPrice: Money,
  unitPrice: Money,
  discountPct: z.number(),
  promotionId: z.string().optional(),
  promotionDiscountPct: z.number().optional(),
  listTotal: Money,
  discountAmount: Money,
  netTotal: Money,
});
export type QuoteLine = z.infer<typeof QuoteLineData>;

/** A line as a seller asks for it, before it is priced. */
export type QuoteLineRequest = { sku: string; qty: number; unitPrice: Money; discountPct: number; promotionId?: string };

/** The largest discount each role may grant, in percent; null is unlimited, a role not listed may grant none. */
export type DiscountAuthority = Readonly<Record<string, number | null>>;

const BASIS = 10_000n;

/** A discount on a non-negative amount, rounded half-up to the minor unit: half the divisor added before the integer division carries .5 up. */
const discountOf = (amount: bigint, bps: number) => (amount * BigInt(bps) + BASIS / 2n) / BASIS;

/** A line's totals at list price and as quoted, exact in minor units, before either is written down as Money. */
export const lineTotals = ({ qty, unitPrice, discountPct }: Pick<QuoteLineRequest, 'qty' | 'unitPrice' | 'discountPct'>, listPrice: Money) => {
  const quoted = BigInt(unitPrice.minor) * BigInt(qty);
  // Rounded once per line, not per unit, so the line carries the discount of the whole.
  return { listTotal: BigInt(listPrice.minor) * BigInt(qty), netTotal: quoted - discountOf(quoted, basisPoints(discountPct)) };
};

/** Prices a requested line against its product and, where it names one, its promotion, once QUO-27 has found its totals within the amount limit. */
export const priceLine = (request: QuoteLineRequest, product: ProductFacts, promotion: PromotionFacts | undefined): QuoteLine => {
  const { sku, qty, unitPrice, discountPct } = request;
  const { listTotal, netTotal } = lineTotals(request, product.listPrice);
  const money = (minor: bigint) => moneyOf({ minor, currency: unitPrice.currency });
  return {
    sku,
    qty,
    listPrice: product.listPrice,
    floorPrice: product.floorPrice,
    unitPrice,
    discountPct,
    ...(promotion ? { promotionId: promotion.promotionId, promotionDiscountPct: promotion.discountPct } : {}),
    listTotal: money(listTotal),
    discountAmount: money(listTotal - netTotal),
    netTotal: money(netTotal),
  };
};

export const isBelowFloor = (line: Pick<QuoteLine, 'netTotal' | 'floorPrice' | 'qty'>) =>
  BigInt(line.netTotal.minor) < BigInt(line.floorPrice.minor) * BigInt(line.qty);

/**
 * The discount off list a price gives, unit price and percentage together, in basis points rounded
 * up from the exact figure, so a fraction of a point above an authority still counts as above it.
 */
export const discountOffListBps = (price: { unitPrice: Money; discountPct: number }, listPrice: Money) => {
  // The catalog never lists at zero (PRD-04); the guard keeps facts from elsewhere from dividing by it.
  if (listPrice.minor <= 0) return 0;
  const netPerUnitScaled = BigInt(price.unitPrice.minor) * (BASIS - BigInt(basisPoints(price.discountPct)));
  return Number(BASIS - netPerUnitScaled / BigInt(listPrice.minor));
};

/**
 * The discount on a line someone must have authority for: what a promotion grants is already
 * sanctioned by the company, but a price under the floor is never excused by a promotion.
 */
export const discountToAuthorise = (line: QuoteLine) =>
  discountOffListBps(line, line.listPrice) - (isBelowFloor(line) ? 0 : basisPoints(line.promotionDiscountPct ?? 0));

export const largestDiscountToAuthorise = (lines: readonly QuoteLine[]) => Math.max(...lines.map(discountToAuthorise));

/** A role's authority in basis points: null is unlimited; a role the table does not list, or no role at all, has none. */
export const authorityOf = (table: DiscountAuthority, role: string | undefined) => {
  if (role === undefined || !Object.hasOwn(table, role)) return 0;
  const pct = table[role];
  return pct === null || pct === undefined ? Infinity : basisPoints(pct);
};

export const asPct = (bps: number) => (bps === Infinity ? 'unlimited' : `${bps / 100}%`);
