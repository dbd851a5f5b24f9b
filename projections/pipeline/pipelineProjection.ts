import type { Document } from '../../application/ports/readStore.js';
import type { Money } from '../../domain/shared/money.js';
import { listIndexes, type ListQuery, type Projection, type ProjectionWriter } from '../projection.js';

export const PIPELINE = 'pipeline';
export const OPPORTUNITIES = 'opportunities';
export const STAGE_TOTALS = 'stage_totals';
/** stage_totals again, split by owner, so a forecast can answer for one seller. */
export const OWNER_STAGE_TOTALS = 'owner_stage_totals';
/**
 * The version that keeps the totals exact; a generation built by an older one held them as numbers,
 * which a large enough pipeline rounds, and before version 2 had no owner totals at all.
 */
export const EXACT_TOTALS_SINCE = 3;

export type OpportunityView = Document & {
  customerId: string;
  title: string;
  ownerId: string;
  stage: string;
  status: 'open' | 'won' | 'lost';
  amount: Money;
  amountMinor: number;
  currency: string;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
};

export type StageTotalView = Document & {
  stage: string;
  currency: string;
  count: number;
  /**
   * Exact: a number while it is a safe integer, a decimal string once many deals of the largest
   * amount add up past what a JSON number holds. Readers take it as BigInt(totalMinor) either way.
   */
  totalMinor: number | string;
};

/** Adds in plain numbers while the sum stays a safe integer (every addend is at most 10^15, so each such sum is exact), in bigint past that. */
const addMinor = (total: number | string, delta: number): number | string => {
  if (typeof total === 'number') {
    const sum = total + delta;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(total) + BigInt(delta);
  return sum <= BigInt(Number.MAX_SAFE_INTEGER) && sum >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(sum) : String(sum);
};

/**
 * Counts change on nearly every event, so they are changed in place: a document from
 * `view.get` is the projection's own until the batch commits.
 */
const adjustTotal = (view: ProjectionWriter, collection: string, id: string, fresh: () => StageTotalView, amountMinor: number, sign: 1 | -1) => {
  const total = (view.get(collection, id) as StageTotalView | null) ?? fresh();
  total.count += sign;
  total.totalMinor = addMinor(total.totalMinor, sign * amountMinor);
  if (total.count === 0) view.delete(collection, id);
  else view.put(collection, total);
};

const adjustOwnerStageTotal = (view: ProjectionWriter, { ownerId, stage, currency, amountMinor }: OpportunityView, sign: 1 | -1) => {
  const id = `${ownerId}|${stage}|${currency}`;
  adjustTotal(view, OWNER_STAGE_TOTALS, id, () => ({ id, ownerId, stage, currency, count: 0, totalMinor: 0 }), amountMinor, sign);
};

/** Keeps each stage's open count and amount, overall and per owner, in step as deals open, move and close. */
const adjustStageTotal = (view: ProjectionWriter, opportunity: OpportunityView, sign: 1 | -1) => {
  const { stage, currency, amountMinor } = opportunity;
  const id = `${stage}|${currency}`;
  adjustTotal(view, STAGE_TOTALS, id, () => ({ id, stage, currency, count: 0, totalMinor: 0 }), amountMinor, sign);
  adjustOwnerStageTotal(view, opportunity, sign);
};

/** The open deals, filtered and sorted as `GET /views/pipeline` offers them. */
export const OPEN_OPPORTUNITIES: ListQuery<'amount' | '-amount' | 'age' | '-age'> = {
  collection: OPPORTUNITIES,
  always: { status: 'open' },
  filters: {
    customerId: { field: 'customerId', match: 'equal' },
    ownerId: { field: 'ownerId', match: 'equal' },
    stage: { field: 'stage', match: 'equal' },
    currency: { field: 'currency', match: 'equal' },
  },
  scopedBy: 'ownerId',
  sorts: {
    amount: { field: 'amountMinor', direction: 'asc' },
    '-amount': { field: 'amountMinor', direction: 'desc' },
    age: { field: 'openedAt', direction: 'asc' },
    '-age': { field: 'openedAt', direction: 'desc' },
  },
};

export const pipelineProjection: Projection<'OpportunityOpened' | 'OpportunityStageChanged' | 'OpportunityWon' | 'OpportunityLost' | 'OpportunityReassigned'> = {
  name: PIPELINE,
  version: EXACT_TOTALS_SINCE,
  collections: [
    {
      name: OPPORTUNITIES,
      indexes: { status: 'string', ownerId: 'string', stage: 'string', customerId: 'string', amountMinor: 'number', openedAt: 'string', currency: 'string' },
      compoundIndexes: listIndexes(OPEN_OPPORTUNITIES),
    },
    { name: STAGE_TOTALS, indexes: { stage: 'string' }, loadWhole: true },
    { name: OWNER_STAGE_TOTALS, indexes: { ownerId: 'string' }, loadWhole: true },
  ],
  handles: ['OpportunityOpened', 'OpportunityStageChanged', 'OpportunityWon', 'OpportunityLost', 'OpportunityReassigned'],
  queries: [OPEN_OPPORTUNITIES],
  documentsFor: (event) => [{ collection: OPPORTUNITIES, id: event.data.opportunityId }],
  apply(event, view) {
    const at = String(event.metadata.occurredAt);
    if (event.type === 'OpportunityOpened') {
      const { opportunityId, customerId, title, ownerId, amount, stage } = event.data;
      const opened: OpportunityView = {
        id: opportunityId,
        customerId,
        title,
        ownerId,
        stage,
        status: 'open',
        amount,
        amountMinor: amount.minor,
        currency: amount.currency,
        openedAt: at,
        updatedAt: at,
        closedAt: null,
      };
      view.put(OPPORTUNITIES, opened);
      adjustStageTotal(view, opened, 1);
      return;
    }
    const current = view.get(OPPORTUNITIES, event.data.opportunityId) as OpportunityView | null;
    if (!current) return;
    switch (event.type) {
      case 'OpportunityStageChanged': {
        // The hottest path of a rebuild: the deal is changed in place, as the totals are.
        adjustStageTotal(view, current, -1);
        current.stage = event.data.to;
        current.updatedAt = at;
        view.put(OPPORTUNITIES, current);
        adjustStageTotal(view, current, 1);
        return;
      }
      case 'OpportunityWon':
      case 'OpportunityLost':
        adjustStageTotal(view, current, -1);
        view.put(OPPORTUNITIES, { ...current, status: event.type === 'OpportunityWon' ? 'won' : 'lost', updatedAt: at, closedAt: at });
        return;
      case 'OpportunityReassigned': {
        const reassigned: OpportunityView = { ...current, ownerId: event.data.to, updatedAt: at };
        view.put(OPPORTUNITIES, reassigned);
        // The open amount goes with the deal to its new owner; a closed deal is in no total.
        if (current.status === 'open') {
          adjustOwnerStageTotal(view, current, -1);
          adjustOwnerStageTotal(view, reassigned, 1);
        }
        return;
      }
    }
  },
};
