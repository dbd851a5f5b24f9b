import { z } from 'zod';
import type { ExactSum } from '../domain/shared/money.js';

/** Shapes shared by many routes. Every body object is strict: an unknown field is a 400. */
export const Uuid = z.uuid();
export const IdParams = z.object({ id: Uuid }).strict();
export const ShortText = (max = 200) => z.string().trim().min(1).max(max);
export const Reason = z.string().trim().min(1).max(2000);
/** An instant with any offset, kept as UTC (the log's one spelling of time). */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** Read-your-writes: the position a command returned; the view waits until it has applied it. */
export const AfterPosition = z.coerce.number().int().min(0).optional();

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
  after: AfterPosition,
};

/**
 * A sum of many amounts as served. `minor` is a number while a JSON number holds it exactly; past
 * 2^53 - 1 either side of zero it is null and `minorDecimal` carries the exact figure, so no client
 * ever reads a rounded total as if it were the real one.
 */
export const TotalOut = z.object({
  minor: z.number().int().nullable().describe('Integer minor units; null when the total is beyond 2^53 - 1 either side of zero, see minorDecimal'),
  minorDecimal: z
    .string()
    .regex(/^-?\d+$/)
    .optional()
    .describe('The exact total in minor units as a decimal string; present only when minor is null'),
  currency: z.string(),
});

export const totalOut = ({ minor, currency }: ExactSum): z.infer<typeof TotalOut> => {
  const number = Number(minor);
  return Number.isSafeInteger(number) ? { minor: number, currency } : { minor: null, minorDecimal: minor.toString(), currency };
};
