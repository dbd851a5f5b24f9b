import { z } from 'zod';

/** Integer minor units and an ISO 4217 currency; never a float. */
export const Money = z
  .object({
    minor: z.number().int().safe(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, such as CNY'),
  })
  .strict();
export type Money = z.infer<typeof Money>;

export const NonNegativeMoney = Money.refine((m) => m.minor >= 0, { message: 'must not be negative', path: ['minor'] });
