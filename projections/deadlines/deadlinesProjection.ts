import { COMPLAINT_FIRST_RESPONSE, COMPLAINT_RESOLUTION } from '../../application/deadlines/complaintClocks.js';
import type { Deadline, DueDeadlines } from '../../application/deadlines/deadlineWatcher.js';
import { overdueFrom, PROMISE_OVERDUE } from '../../application/deadlines/promiseOverdue.js';
import { QUOTE_EXPIRY } from '../../application/deadlines/quoteExpiry.js';
import { REGISTRATION_EXPIRY } from '../../application/deadlines/registrationExpiry.js';
import type { Document } from '../../application/ports/readStore.js';
import type { StoredEvent, StoredEventType } from '../../domain/aggregates.js';
import { listIndexes, type ListQuery, type Projection } from '../projection.js';
import type { ViewReader } from '../viewReader.js';

export const DEADLINES = 'deadlines';
export const DEADLINE_DOCS = 'deadlines';

/** A deadline whose clock stands (a complaint waiting on the customer) has no due time until it runs again. */
export type DeadlineView = Document & Omit<Deadline, 'dueAt'> & { dueAt: string | null; done: boolean; doneAt: string | null };

/** An event that moves an open deadline: to the instant it names, or to none while its clock stands (null); undefined leaves it be. */
export type DeadlineMove<Type extends StoredEventType = StoredEventType> = {
  type: Type;
  dueAt(data: Extract<StoredEvent, { type: Type }>['data']): string | null | undefined;
};

/**
 * How one kind of deadline follows the log: which event sets it (and when it falls due), which
 * events move it, which make it moot. A new kind is one more source (and a version bump).
 */
export type DeadlineSource<Opening extends StoredEventType = StoredEventType> = {
  kind: string;
  opening: Opening;
  dueAt(data: Extract<StoredEvent, { type: Opening }>['data']): string;
  moves?: readonly DeadlineMove[];
  closes: readonly StoredEventType[];
};

/** A source typed by its opening event, held beside the others: the projection calls dueAt only with that event's data. */
const deadlineSource = <Opening extends StoredEventType>(source: DeadlineSource<Opening>): DeadlineSource => source as unknown as DeadlineSource;

/** A move typed by its event, held beside the others: the projection calls dueAt only with that event's data. */
const deadlineMove = <Type extends StoredEventType>(move: DeadlineMove<Type>): DeadlineMove => move as unknown as DeadlineMove;

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

/** Every event that moves a complaint's clocks names where each still-running clock stands. */
const complaintClockMoves = (clock: 'firstResponse' | 'resolution') =>
  (['ComplaintInfoRequested', 'ComplaintInfoReceived', 'ComplaintSeverityChanged', 'ComplaintReopened'] as const).map((type) =>
    deadlineMove({ type, dueAt: (data: { due: { firstResponse?: string | null; resolution?: string | null } }) => data.due[clock] }),
  );

export const complaintFirstResponseDeadlines = deadlineSource({
  kind: COMPLAINT_FIRST_RESPONSE,
  opening: 'ComplaintFiled',
  dueAt: (filed) => filed.due.firstResponse,
  moves: complaintClockMoves('firstResponse'),
  closes: ['ComplaintResponded', 'ComplaintResponseOverdue', 'ComplaintClosed'],
});

/**
 * A resolution stops the clock but does not end it, nor does closing: a reopening within the
 * window runs it again. Only its breach, recorded once, ends it.
 */
export const complaintResolutionDeadlines = deadlineSource({
  kind: COMPLAINT_RESOLUTION,
  opening: 'ComplaintFiled',
  dueAt: (filed) => filed.due.resolution,
  moves: [...complaintClockMoves('resolution'), ...(['ComplaintResolved', 'ComplaintClosed'] as const).map((type) => deadlineMove({ type, dueAt: () => null }))],
  closes: ['ComplaintResolutionOverdue'],
});

export const registrationExpiryDeadlines = deadlineSource({
  kind: REGISTRATION_EXPIRY,
  opening: 'RegistrationSubmitted',
  dueAt: (submitted) => submitted.expiresAt,
  closes: ['RegistrationRejected', 'RegistrationExpired'],
});

export const DEADLINE_SOURCES: readonly DeadlineSource[] = [quoteExpiryDeadlines, promiseOverdueDeadlines, complaintFirstResponseDeadlines, complaintResolutionDeadlines, registrationExpiryDeadlines];

const deadlineId = (kind: string, streamId: string) => `${kind}|${streamId}`;

const moveOf = (source: DeadlineSource, type: StoredEventType) => source.moves?.find((move) => move.type === type);

const sourcesFor = (type: StoredEventType) => DEADLINE_SOURCES.filter((s) => s.opening === type || s.closes.includes(type) || moveOf(s, type));

/** One spelling of an instant (milliseconds, Z), so the view compares due times as strings correctly. */
const spelled = (instant: string) => new Date(instant).toISOString();

/** What the deadline watcher reads: open deadlines due by an instant, earliest first. */
export const DUE_DEADLINES: ListQuery<'due'> = {
  collection: DEADLINE_DOCS,
  always: { done: false },
  filters: { dueBy: { field: 'dueAt', match: 'range' } },
  sorts: { due: { field: 'dueAt', direction: 'asc' } },
};

/** Open and closed deadlines of every kind, for the deadline watcher. */
export const deadlinesProjection: Projection = {
  name: DEADLINES,
  // 3: complaint clocks, which move.
  // 4: deal registrations expire.
  version: 4,
  collections: [{ name: DEADLINE_DOCS, indexes: { done: 'boolean', dueAt: 'string', kind: 'string', streamId: 'string' }, compoundIndexes: listIndexes(DUE_DEADLINES) }],
  queries: [DUE_DEADLINES],
  handles: [...new Set(DEADLINE_SOURCES.flatMap((s) => [s.opening, ...(s.moves ?? []).map((move) => move.type), ...s.closes]))],
  documentsFor: (event) => sourcesFor(event.type).map((s) => ({ collection: DEADLINE_DOCS, id: deadlineId(s.kind, event.streamId) })),
  apply(event, view) {
    for (const source of sourcesFor(event.type)) {
      const id = deadlineId(source.kind, event.streamId);
      if (event.type === source.opening) {
        const doc: DeadlineView = { id, kind: source.kind, streamId: event.streamId, dueAt: spelled(source.dueAt(event.data)), done: false, doneAt: null };
        view.put(DEADLINE_DOCS, doc);
        continue;
      }
      const current = view.get(DEADLINE_DOCS, id) as DeadlineView | null;
      if (!current || current.done) continue;
      const move = moveOf(source, event.type);
      if (!move) {
        view.put(DEADLINE_DOCS, { ...current, done: true, doneAt: String(event.metadata.occurredAt) });
        continue;
      }
      const dueAt = move.dueAt(event.data);
      if (dueAt !== undefined) view.put(DEADLINE_DOCS, { ...current, dueAt: dueAt === null ? null : spelled(dueAt) });
    }
  },
};

/** The watcher's view of what is due: open deadlines at or before `now`, earliest first. */
export const dueDeadlines = (views: ViewReader): DueDeadlines => ({
  async due(now, { limit, cursor }) {
    const page = await views.find(DEADLINES, DUE_DEADLINES.collection, {
      where: { ...DUE_DEADLINES.always, dueAt: { lte: new Date(now).toISOString() } },
      orderBy: DUE_DEADLINES.sorts.due,
      limit,
      ...(cursor ? { cursor } : {}),
    });
    return {
      // The bound leaves out deadlines with no due time; the check says so to the type too.
      items: (page.items as DeadlineView[]).flatMap(({ id, kind, streamId, dueAt }) => (dueAt === null ? [] : [{ id, kind, streamId, dueAt }])),
      nextCursor: page.nextCursor,
    };
  },
});
