import type { Document } from '../../application/ports/readStore.js';
import { elapsedOn, wholeMinutes, type Run } from '../../domain/complaint/businessTime.js';
import {
  complaintDecider,
  type ComplaintCategory,
  type ComplaintChannel,
  type ComplaintEvent,
  type ComplaintStatus,
  type FiledComplaint,
  type Remedy,
  type Reporter,
} from '../../domain/complaint/complaint.js';
import { countingOf, type ComplaintSeverity, type ServiceClock, type ServiceLevel } from '../../domain/complaint/serviceLevels.js';
import { listIndexes, type ListQuery, type Projection } from '../projection.js';

export const COMPLAINTS = 'complaints';
export const COMPLAINT_DOCS = 'complaints';

/** Sorts after every instant: a complaint with no clock running comes last in order of due time. */
export const NOTHING_DUE = '9999-12-31T23:59:59.999Z';

/** One of a complaint's clocks as its events left it; what it reads now is worked out when it is read. */
export type ClockView = {
  targetMinutes: number;
  runs: Run[];
  /** When it runs out (in the past once its time is up), or null while it stands with time left or has stopped. */
  dueAt: string | null;
  stoppedAt: string | null;
  /** Whole minutes counted when it stopped, and whether that was within its target. */
  clockMinutes: number | null;
  withinTarget: boolean | null;
  /** Its time ran out before it stopped: the watcher recorded the breach, or it stopped late. */
  breached: boolean;
};

/** One step of the complaint as it happened: the event, when, by whom, and what it said (ids and clock arithmetic left out). */
export type TimelineEntry = { at: string; event: ComplaintEvent['type']; by: string; details: Record<string, unknown> };

export type ComplaintView = Document & {
  customerId: string;
  region: string;
  channel: ComplaintChannel;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  status: ComplaintStatus;
  summary: string;
  detail: string | null;
  orderId: string | null;
  promiseId: string | null;
  opportunityId: string | null;
  sku: string | null;
  /** As stored: sealed with the customer's key. Whoever reads the view reveals it for the caller. */
  reporter: Reporter | null;
  sellerId: string | null;
  assigneeId: string | null;
  filedBy: string;
  filedAt: string;
  policyVersion: number;
  calendar: string;
  serviceLevel: ServiceLevel;
  clocks: Record<ServiceClock, ClockView>;
  /** The earliest due time of a clock not yet stopped; null when none has one. */
  nextDueAt: string | null;
  /** nextDueAt, or NOTHING_DUE, so sorting by due time puts complaints with nothing due last. */
  dueOrder: string;
  breached: boolean;
  escalationLevel: number;
  escalatedTo: string | null;
  proposal: { resolution: string; remedy: Remedy | null; proposedBy: string; at: string } | null;
  outcome: { resolution: string; remedy: Remedy | null; upheld: boolean | null; resolvedBy: string; resolvedAt: string } | null;
  resolvedCount: number;
  reopenCount: number;
  rating: { csat: number; nps: number | null; comment: string | null; at: string } | null;
  closedAt: string | null;
  timeline: TimelineEntry[];
  /** The complaint as its own decider folds it, from which the clocks' runs are read. */
  state: FiledComplaint;
  updatedAt: string;
};

/** Same instant, same string: range filters and sort on times compare text. */
const utc = (iso: string) => new Date(iso).toISOString();

const HANDLED = [
  'ComplaintFiled',
  'ComplaintAssigned',
  'ComplaintResponded',
  'ComplaintNoted',
  'ComplaintInfoRequested',
  'ComplaintInfoReceived',
  'ComplaintEscalated',
  'ComplaintSeverityChanged',
  'ComplaintResolutionProposed',
  'ComplaintResolved',
  'ComplaintReopened',
  'ComplaintClosed',
  'ComplaintRated',
  'ComplaintResponseOverdue',
  'ComplaintResolutionOverdue',
] as const satisfies readonly ComplaintEvent['type'][];

/** What the timeline keeps of an event: its words and choices, not the ids every event repeats nor the sealed reporter or the calendar. */
const detailsOf = (data: Record<string, unknown>): Record<string, unknown> => {
  const { complaintId: _complaint, customerId: _customer, reporter: _reporter, serviceLevel: _level, due: _due, ...details } = data;
  return details;
};

const clockOf = (state: FiledComplaint, clock: ServiceClock, previous: ClockView | undefined, due: string | null | undefined): ClockView => {
  const { runs, stoppedAt } = state[clock];
  const targetMinutes = clock === 'firstResponse' ? state.serviceLevel.firstResponseMinutes : state.serviceLevel.resolutionMinutes;
  const stillRunning = stoppedAt === undefined;
  return {
    targetMinutes,
    runs,
    dueAt: !stillRunning ? null : due === undefined ? (previous?.dueAt ?? null) : due === null ? null : utc(due),
    stoppedAt: stoppedAt ?? null,
    clockMinutes: stillRunning ? null : (previous?.clockMinutes ?? null),
    withinTarget: stillRunning ? null : (previous?.withinTarget ?? null),
    breached: state[clock].breached || previous?.breached === true,
  };
};

/** The clock readings an event that stops a clock carries. */
const stoppedReading = (view: ClockView, reading: { clockMinutes: number; withinTarget: boolean }): ClockView => ({
  ...view,
  clockMinutes: reading.clockMinutes,
  withinTarget: reading.withinTarget,
  breached: view.breached || !reading.withinTarget,
});

const dueNamedBy = (event: ComplaintEvent, clock: ServiceClock): string | null | undefined =>
  'due' in event.data ? (event.data.due as Partial<Record<ServiceClock, string | null>>)[clock] : undefined;

/** The scalars the view filters and sorts on, read off the clocks. */
const indexed = (clocks: Record<ServiceClock, ClockView>) => {
  const due = Object.values(clocks).flatMap((clock) => (clock.stoppedAt === null && clock.dueAt !== null ? [clock.dueAt] : []));
  const nextDueAt = due.length > 0 ? due.reduce((earliest, at) => (at < earliest ? at : earliest)) : null;
  return { nextDueAt, dueOrder: nextDueAt ?? NOTHING_DUE, breached: clocks.firstResponse.breached || clocks.resolution.breached };
};

const filed = (event: Extract<ComplaintEvent, { type: 'ComplaintFiled' }>, state: FiledComplaint, at: string, by: string): ComplaintView => {
  const { data } = event;
  const clocks = {
    firstResponse: clockOf(state, 'firstResponse', undefined, data.due.firstResponse),
    resolution: clockOf(state, 'resolution', undefined, data.due.resolution),
  };
  return {
    id: data.complaintId,
    customerId: data.customerId,
    region: data.region,
    channel: data.channel,
    category: data.category,
    severity: data.severity,
    status: state.status,
    summary: data.summary,
    detail: data.detail ?? null,
    orderId: data.orderId ?? null,
    promiseId: data.promiseId ?? null,
    opportunityId: data.opportunityId ?? null,
    sku: data.sku ?? null,
    reporter: data.reporter ?? null,
    sellerId: data.sellerId ?? null,
    assigneeId: null,
    filedBy: data.filedBy,
    filedAt: utc(data.filedAt),
    policyVersion: data.policyVersion,
    calendar: data.calendar,
    serviceLevel: data.serviceLevel,
    clocks,
    ...indexed(clocks),
    escalationLevel: 0,
    escalatedTo: null,
    proposal: null,
    outcome: null,
    resolvedCount: 0,
    reopenCount: 0,
    rating: null,
    closedAt: null,
    timeline: [{ at, event: event.type, by, details: detailsOf(data) }],
    state,
    updatedAt: at,
  };
};

/** What an event after the filing changes beyond the clocks and the status. */
const changed = (view: ComplaintView, event: ComplaintEvent, at: string): Partial<ComplaintView> => {
  switch (event.type) {
    case 'ComplaintAssigned':
      return { assigneeId: event.data.assigneeId };
    case 'ComplaintEscalated':
      return { escalationLevel: event.data.level, escalatedTo: event.data.role };
    case 'ComplaintSeverityChanged':
      return { severity: event.data.to, serviceLevel: event.data.serviceLevel };
    case 'ComplaintResolutionProposed':
      return { proposal: { resolution: event.data.resolution, remedy: event.data.remedy ?? null, proposedBy: event.data.proposedBy, at } };
    case 'ComplaintResolved': {
      const { resolution, remedy, upheld, resolvedBy, resolvedAt } = event.data;
      return { outcome: { resolution, remedy: remedy ?? null, upheld: upheld ?? null, resolvedBy, resolvedAt: utc(resolvedAt) }, resolvedCount: view.resolvedCount + 1 };
    }
    case 'ComplaintReopened':
      return { reopenCount: view.reopenCount + 1 };
    case 'ComplaintClosed':
      return { closedAt: utc(event.data.closedAt) };
    case 'ComplaintRated': {
      const { csat, nps, comment } = event.data;
      return { rating: { csat, nps: nps ?? null, comment: comment ?? null, at } };
    }
    default:
      return {};
  }
};

const clocksAfter = (view: ComplaintView, state: FiledComplaint, event: ComplaintEvent): Record<ServiceClock, ClockView> => {
  const clocks = {
    firstResponse: clockOf(state, 'firstResponse', view.clocks.firstResponse, dueNamedBy(event, 'firstResponse')),
    resolution: clockOf(state, 'resolution', view.clocks.resolution, dueNamedBy(event, 'resolution')),
  };
  if (event.type === 'ComplaintResponded') return { ...clocks, firstResponse: stoppedReading(clocks.firstResponse, event.data) };
  if (event.type === 'ComplaintResolved') return { ...clocks, resolution: stoppedReading(clocks.resolution, event.data) };
  return clocks;
};

/**
 * The complaints as `GET /views/complaints` filters and sorts them: overdue bounds dueOrder at the
 * request's instant, a period bounds filedAt.
 */
export const COMPLAINT_LIST: ListQuery<'due' | '-due' | 'age' | '-age'> = {
  collection: COMPLAINT_DOCS,
  filters: {
    customerId: { field: 'customerId', match: 'equal' },
    sellerId: { field: 'sellerId', match: 'equal' },
    assigneeId: { field: 'assigneeId', match: 'equal' },
    sku: { field: 'sku', match: 'equal' },
    status: { field: 'status', match: 'equal' },
    severity: { field: 'severity', match: 'equal' },
    category: { field: 'category', match: 'equal' },
    breached: { field: 'breached', match: 'equal' },
    overdue: { field: 'dueOrder', match: 'range' },
    from: { field: 'filedAt', match: 'range' },
    to: { field: 'filedAt', match: 'range' },
  },
  sorts: {
    due: { field: 'dueOrder', direction: 'asc' },
    '-due': { field: 'dueOrder', direction: 'desc' },
    age: { field: 'filedAt', direction: 'asc' },
    '-age': { field: 'filedAt', direction: 'desc' },
  },
};

/**
 * One document per complaint: what it is about, who works it, its two clocks with their runs and
 * due times, the escalation, the proposal and the outcome, the rating, and its timeline. The
 * reporter stays sealed; the clocks' elapsed time is worked out from the runs when it is read.
 */
export const complaintsProjection: Projection<(typeof HANDLED)[number]> = {
  name: COMPLAINTS,
  version: 1,
  collections: [
    {
      name: COMPLAINT_DOCS,
      indexes: {
        status: 'string',
        severity: 'string',
        category: 'string',
        assigneeId: 'string',
        customerId: 'string',
        sellerId: 'string',
        sku: 'string',
        region: 'string',
        filedAt: 'string',
        nextDueAt: 'string',
        dueOrder: 'string',
        breached: 'boolean',
      },
      compoundIndexes: listIndexes(COMPLAINT_LIST),
    },
  ],
  queries: [COMPLAINT_LIST],
  handles: HANDLED,
  documentsFor: (event) => [{ collection: COMPLAINT_DOCS, id: event.data.complaintId }],
  apply(event, view) {
    const at = utc(String(event.metadata.occurredAt));
    const by = String((event.metadata.actor as { id?: unknown } | undefined)?.id ?? 'unknown');
    const current = view.get(COMPLAINT_DOCS, event.data.complaintId) as ComplaintView | null;
    const before = event.type === 'ComplaintFiled' ? complaintDecider.initialState() : current?.state;
    if (!before) return;
    const state = complaintDecider.evolve(before, event);
    if (state.status === 'none') return;
    if (event.type === 'ComplaintFiled') {
      view.put(COMPLAINT_DOCS, filed(event, state, at, by));
      return;
    }
    if (!current) return;
    const clocks = clocksAfter(current, state, event);
    view.put(COMPLAINT_DOCS, {
      ...current,
      ...changed(current, event, at),
      status: state.status,
      clocks,
      ...indexed(clocks),
      timeline: [...current.timeline, { at, event: event.type, by, details: detailsOf(event.data) }],
      state,
      updatedAt: at,
    });
  },
};

/** A clock as it reads at an instant: whether it runs, stands or stopped, what it counted and what is left. */
export type ClockReading = {
  state: 'running' | 'paused' | 'stopped';
  targetMinutes: number;
  dueAt: string | null;
  elapsedMinutes: number;
  /** Target less elapsed; negative once the time is up. */
  remainingMinutes: number;
  /** Not stopped and past its due time, whether or not the watcher has recorded the breach yet. */
  overdue: boolean;
  breached: boolean;
  stoppedAt: string | null;
  withinTarget: boolean | null;
};

/** The clocks of a complaint as they read at `now`, counted the way its service level says, paused time left out. */
export const clockReadings = (complaint: Pick<ComplaintView, 'clocks' | 'serviceLevel'>, now: string): Record<ServiceClock, ClockReading> => {
  const counting = countingOf(complaint.serviceLevel);
  const read = (clock: ClockView): ClockReading => {
    const elapsedMinutes = wholeMinutes(elapsedOn(counting, clock.runs, now));
    const stopped = clock.stoppedAt !== null;
    return {
      state: stopped ? 'stopped' : clock.runs.at(-1)?.to === undefined ? 'running' : 'paused',
      targetMinutes: clock.targetMinutes,
      dueAt: clock.dueAt,
      elapsedMinutes,
      remainingMinutes: clock.targetMinutes - elapsedMinutes,
      overdue: !stopped && clock.dueAt !== null && clock.dueAt <= now,
      breached: clock.breached,
      stoppedAt: clock.stoppedAt,
      withinTarget: clock.withinTarget,
    };
  };
  return { firstResponse: read(complaint.clocks.firstResponse), resolution: read(complaint.clocks.resolution) };
};
