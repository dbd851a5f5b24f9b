import { z } from 'zod';

/** The most units one line carries: a million is past any order a sales team takes, so more is a slip of the keyboard. */
export const MAX_LINE_QUANTITY = 1_000_000;

/** Whole units on a line, from one to the most a line carries. */
export const LineQuantity = z.number().int().min(1).max(MAX_LINE_QUANTITY, 'at most 1,000,000 units a line');
