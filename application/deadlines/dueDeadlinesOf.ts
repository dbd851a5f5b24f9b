import type { DueDeadlines } from './deadlineWatcher.js';

/**
 * The deadlines of several sources as one: each source's pages in turn, the cursor naming the
 * source it belongs to ("1:<that source's cursor>"). The deadlines view holds the deadlines events
 * open; the calendar holds the monthly ones.
 */
export const dueDeadlinesOf = (sources: readonly DueDeadlines[]): DueDeadlines => ({
  async due(now, { limit, cursor }) {
    const split = cursor?.indexOf(':') ?? -1;
    const index = cursor === undefined ? 0 : Number(cursor.slice(0, split));
    const inner = cursor === undefined ? undefined : cursor.slice(split + 1) || undefined;
    const page = await sources[index]!.due(now, { limit, ...(inner !== undefined ? { cursor: inner } : {}) });
    const nextCursor = page.nextCursor !== null ? `${index}:${page.nextCursor}` : index + 1 < sources.length ? `${index + 1}:` : null;
    return { items: page.items, nextCursor };
  },
});
