import { z } from 'zod';

/**
 * The amount limit: no figure the ledger records (a price, a deal's amount, a credit limit, a
 * quote's or an order's total) is further from zero than 10^15 minor units, ten trillion in a
 * currency of cents. That is far beyond any deal a sales team closes, and nine such figures still
 * add up within 2^53, the largest integer a JSON number holds exactly; a sum of more is kept
 * exact as a bigint and refused or served as a decimal string, never rounded.
 */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;

const AMOUNT_LIMIT = BigInt(MAX_AMOUNT_MINOR);

const Minor = z
  .number()
  .int()
  .min(-MAX_AMOUNT_MINOR, 'at least -10^15 minor units, the amount limit')
  .max(MAX_AMOUNT_MINOR, 'at most 10^15 minor units, the amount limit');

const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, such as CNY');

/** Integer minor units and an ISO 4217 currency; never a float. */
export const Money = z.object({ minor: Minor, currency: Currency }).strict();
export type Money = z.infer<typeof Money>;

export const NonNegativeMoney = z.object({ minor: Minor.min(0, 'must not be negative'), currency: Currency }).strict();

/** A sum of amounts, exact at any size: held as a bigint until it is checked against the amount limit or served. */
export type ExactSum = { readonly minor: bigint; readonly currency: string };

export const exactSum = (amounts: readonly Money[], currency: string): ExactSum => ({
  minor: amounts.reduce((sum, amount) => sum + BigInt(amount.minor), 0n),
  currency,
});

/** Whether an exact figure is one the ledger records: no further from zero than the amount limit. */
export const withinAmountLimit = (minor: bigint) => minor <= AMOUNT_LIMIT && minor >= -AMOUNT_LIMIT;

/** A sum written down as Money, once it is known to be within the amount limit: the number then holds it exactly. */
export const moneyOf = ({ minor, currency }: ExactSum): Money => ({ minor: Number(minor), currency });
