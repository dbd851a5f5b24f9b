import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import type { OpportunityEvent } from '../../domain/opportunity/opportunity.js';
import type { Money } from '../../domain/shared/money.js';
import type { Projection, ProjectionWriter } from '../projection.js';

export const PIPELINE = 'pipeline';
export const OPPORTUNITIES = 'opportunities';
export const STAGE_TOTALS = 'stage_totals';
/** stage_totals again, split by owner, so a forecast can answer for one seller. */
export const OWNER_STAGE_TOTALS = 'owner_stage_totals';
/** The version that added owner_stage_totals; a generation built by an older one has none. */
export const OWNER_STAGE_TOTALS_SINCE = 2;

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

export type StageTotalView = Document & { stage: string; currency: string; count: number; totalMinor: number };
export type OwnerStageTotalView = StageTotalView & { ownerId: string };

const adjustTotal = (view: ProjectionWriter, collection: string, id: string, fields: Record<string, string>, amountMinor: number, sign: 1 | -1) => {
  const current = view.get(collection, id) as StageTotalView | null;
  const count = (current?.count ?? 0) + sign;
  if (count === 0) view.delete(collection, id);
  else view.put(collection, { id, ...fields, count, totalMinor: (current?.totalMinor ?? 0) + sign * amountMinor });
};

const adjustOwnerStageTotal = (view: ProjectionWriter, { ownerId, stage, currency, amountMinor }: OpportunityView, sign: 1 | -1) =>
  adjustTotal(view, OWNER_STAGE_TOTALS, `${ownerId}|${stage}|${currency}`, { ownerId, stage, currency }, amountMinor, sign);

/** Keeps each stage's open count and amount, overall and per owner, in step as deals open, move and close. */
const adjustStageTotal = (view: ProjectionWriter, opportunity: OpportunityView, sign: 1 | -1) => {
  const { stage, currency, amountMinor } = opportunity;
  adjustTotal(view, STAGE_TOTALS, `${stage}|${currency}`, { stage, currency }, amountMinor, sign);
  adjustOwnerStageTotal(view, opportunity, sign);
};

export const pipelineProjection: Projection = {
  name: PIPELINE,
  version: OWNER_STAGE_TOTALS_SINCE,
  collections: [
    { name: OPPORTUNITIES, indexes: ['status', 'ownerId', 'stage', 'customerId', 'amountMinor', 'openedAt', 'currency'] },
    { name: STAGE_TOTALS, indexes: ['stage'], loadWhole: true },
    { name: OWNER_STAGE_TOTALS, indexes: ['ownerId'], loadWhole: true },
  ],
  handles: ['OpportunityOpened', 'OpportunityStageChanged', 'OpportunityWon', 'OpportunityLost', 'OpportunityReassigned'],
  documentsFor: (event) => [{ collection: OPPORTUNITIES, id: (event.data as { opportunityId: string }).opportunityId }],
  apply(recorded: RecordedEvent, view: ProjectionWriter) {
    const event = { type: recorded.type, data: recorded.data } as OpportunityEvent;
    const at = String(recorded.metadata.occurredAt);
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
        adjustStageTotal(view, current, -1);
        const moved = { ...current, stage: event.data.to, updatedAt: at };
        view.put(OPPORTUNITIES, moved);
        adjustStageTotal(view, moved, 1);
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
