import type { Deadline, DueDeadlines } from '../../application/deadlines/deadlineWatcher.js';
import { overdueFrom, PROMISE_OVERDUE } from '../../application/deadlines/promiseOverdue.js';
import { QUOTE_EXPIRY } from '../../application/deadlines/quoteExpiry.js';
import { REGISTRATION_EXPIRY } from '../../application/deadlines/registrationExpiry.js';
import type { Document } from '../../application/ports/readStore.js';
import type { StoredEvent, StoredEventType } from '../../domain/aggregates.js';
import type { Projection } from '../projection.js';
import type { ViewReader } from '../viewReader.js';

export const DEADLINES = 'deadlines';
export const DEADLINE_DOCS = 'deadlines';

export type DeadlineView = Document & Deadline & { done: boolean; doneAt: string | null };

/**
 * How one kind of deadline follows the log: which event sets it (and when it falls due),
 * which events make it moot. A new kind is one more source (and a version bump).
 */
export type DeadlineSource<Opening extends StoredEventType = StoredEventType> = {
  kind: string;
  opening: Opening;
  dueAt(data: Extract<StoredEvent, { type: Opening }>['data']): string;
  closes: readonly StoredEventType[];
};

/** A source typed by its opening event, held beside the others: the projection calls dueAt only with that event's data. */
const deadlineSource = <Opening extends StoredEventType>(source: DeadlineSource<Opening>): DeadlineSource => source as unknown as DeadlineSource;

export const quoteExpiryDeadlines = deadlineSource({
  kind: QUOTE_EXPIRY,
  opening: 'QuoteDrafted',
  dueAt: (drafted) => drafted.validUntil,
  closes: ['QuoteAccepted', 'QuoteDeclined', 'QuoteRejected', 'QuoteExpired'],
});

export const promiseOverdueDeadlines = deadlineSource({
  kind: PROMISE_OVERDUE,
  opening: 'PromiseRecorded',
  dueAt: (recorded) => overdueFrom(recorded.dueDate),
  closes: ['PromiseFulfilled', 'PromiseBroken', 'PromiseWithdrawn', 'PromiseWentOverdue'],
});

export const registrationExpiryDeadlines = deadlineSource({
  kind: REGISTRATION_EXPIRY,
  opening: 'RegistrationSubmitted',
  dueAt: (submitted) => submitted.expiresAt,
  closes: ['RegistrationRejected', 'RegistrationExpired'],
});

export const DEADLINE_SOURCES: readonly DeadlineSource[] = [quoteExpiryDeadlines, promiseOverdueDeadlines, registrationExpiryDeadlines];

const deadlineId = (kind: string, streamId: string) => `${kind}|${streamId}`;

const sourcesFor = (type: StoredEventType) => DEADLINE_SOURCES.filter((s) => s.opening === type || s.closes.includes(type));

/** Open and closed deadlines of every kind, for the deadline watcher. */
export const deadlinesProjection: Projection = {
  name: DEADLINES,
  // 3: deal registrations expire.
  version: 3,
  collections: [{ name: DEADLINE_DOCS, indexes: { done: 'boolean', dueAt: 'string', kind: 'string', streamId: 'string' } }],
  handles: [...new Set(DEADLINE_SOURCES.flatMap((s) => [s.opening, ...s.closes]))],
  documentsFor: (event) => sourcesFor(event.type).map((s) => ({ collection: DEADLINE_DOCS, id: deadlineId(s.kind, event.streamId) })),
  apply(event, view) {
    for (const source of sourcesFor(event.type)) {
      const id = deadlineId(source.kind, event.streamId);
      if (event.type === source.opening) {
        // One spelling of an instant (milliseconds, Z), so the view compares due times as strings correctly.
        const dueAt = new Date(source.dueAt(event.data)).toISOString();
        const doc: DeadlineView = { id, kind: source.kind, streamId: event.streamId, dueAt, done: false, doneAt: null };
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
