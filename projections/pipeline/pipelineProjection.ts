import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import type { OpportunityEvent } from '../../domain/opportunity/opportunity.js';
import type { Money } from '../../domain/shared/money.js';
import type { Projection, ProjectionWriter } from '../projection.js';

export const PIPELINE = 'pipeline';
export const OPPORTUNITIES = 'opportunities';
export const STAGE_TOTALS = 'stage_totals';

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

const stageTotalId = (stage: string, currency: string) => `${stage}|${currency}`;

/** Keeps each stage's open count and amount in step as deals open, move and close. */
const adjustStageTotal = (view: ProjectionWriter, { stage, currency, amountMinor }: OpportunityView, sign: 1 | -1) => {
  const id = stageTotalId(stage, currency);
  const current = view.get(STAGE_TOTALS, id) as StageTotalView | null;
  const count = (current?.count ?? 0) + sign;
  if (count === 0) view.delete(STAGE_TOTALS, id);
  else view.put(STAGE_TOTALS, { id, stage, currency, count, totalMinor: (current?.totalMinor ?? 0) + sign * amountMinor });
};

export const pipelineProjection: Projection = {
  name: PIPELINE,
  version: 1,
  collections: [
    { name: OPPORTUNITIES, indexes: ['status', 'ownerId', 'stage', 'customerId', 'amountMinor', 'openedAt', 'currency'] },
    { name: STAGE_TOTALS, indexes: ['stage'], loadWhole: true },
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
      case 'OpportunityReassigned':
        view.put(OPPORTUNITIES, { ...current, ownerId: event.data.to, updatedAt: at });
        return;
    }
  },
};
