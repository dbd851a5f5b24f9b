import { z } from 'zod';

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
