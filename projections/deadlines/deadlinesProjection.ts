import type { Deadline, DueDeadlines } from '../../application/deadlines/deadlineWatcher.js';
import { overdueFrom, PROMISE_OVERDUE } from '../../application/deadlines/promiseOverdue.js';
import { QUOTE_EXPIRY } from '../../application/deadlines/quoteExpiry.js';
import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import type { Projection, ProjectionWriter } from '../projection.js';
import type { ViewReader } from '../viewReader.js';

export const DEADLINES = 'deadlines';
export const DEADLINE_DOCS = 'deadlines';

export type DeadlineView = Document & Deadline & { done: boolean; doneAt: string | null };

/**
 * How one kind of deadline follows the log: which event sets it (and when it falls due),
 * which events make it moot. A new kind is one more source (and a version bump).
 */
export type DeadlineSource = {
  kind: string;
  opens: Readonly<Record<string, (data: unknown) => string>>;
  closes: readonly string[];
};

export const quoteExpiryDeadlines: DeadlineSource = {
  kind: QUOTE_EXPIRY,
  opens: { QuoteDrafted: (data) => (data as { validUntil: string }).validUntil },
  closes: ['QuoteAccepted', 'QuoteDeclined', 'QuoteRejected', 'QuoteExpired'],
};

export const promiseOverdueDeadlines: DeadlineSource = {
  kind: PROMISE_OVERDUE,
  opens: { PromiseRecorded: (data) => overdueFrom((data as { dueDate: string }).dueDate) },
  closes: ['PromiseFulfilled', 'PromiseBroken', 'PromiseWithdrawn', 'PromiseWentOverdue'],
};

export const DEADLINE_SOURCES: readonly DeadlineSource[] = [quoteExpiryDeadlines, promiseOverdueDeadlines];

const deadlineId = (kind: string, streamId: string) => `${kind}|${streamId}`;

const sourcesFor = (type: string) => DEADLINE_SOURCES.filter((s) => s.opens[type] || s.closes.includes(type));

/** Open and closed deadlines of every kind, for the deadline watcher. */
export const deadlinesProjection: Projection = {
  name: DEADLINES,
  version: 2,
  collections: [{ name: DEADLINE_DOCS, indexes: ['done', 'dueAt', 'kind', 'streamId'] }],
  handles: [...new Set(DEADLINE_SOURCES.flatMap((s) => [...Object.keys(s.opens), ...s.closes]))],
  documentsFor: (event) => sourcesFor(event.type).map((s) => ({ collection: DEADLINE_DOCS, id: deadlineId(s.kind, event.streamId) })),
  apply(event: RecordedEvent, view: ProjectionWriter) {
    for (const source of sourcesFor(event.type)) {
      const id = deadlineId(source.kind, event.streamId);
      const dueAt = source.opens[event.type]?.(event.data);
      if (dueAt !== undefined) {
        // One spelling of an instant (milliseconds, Z), so the view compares due times as strings correctly.
        const doc: DeadlineView = { id, kind: source.kind, streamId: event.streamId, dueAt: new Date(dueAt).toISOString(), done: false, doneAt: null };
        view.put(DEADLINE_DOCS, doc);
        continue;
      }
      const current = view.get(DEADLINE_DOCS, id) as DeadlineView | null;
      if (current && !current.done) view.put(DEADLINE_DOCS, { ...current, done: true, doneAt: String(event.metadata.occurredAt) });
    }
  },
};

/** The watcher's view of what is due: open deadlines at or before `now`, earliest first. */
export const dueDeadlines = (views: ViewReader): DueDeadlines => ({
  async due(now, { limit, cursor }) {
    const page = await views.find(DEADLINES, DEADLINE_DOCS, {
      where: { done: false, dueAt: { lte: new Date(now).toISOString() } },
      orderBy: { field: 'dueAt', direction: 'asc' },
      limit,
      ...(cursor ? { cursor } : {}),
    });
    return {
      items: (page.items as DeadlineView[]).map(({ id, kind, streamId, dueAt }) => ({ id, kind, streamId, dueAt })),
      nextCursor: page.nextCursor,
    };
  },
});
