import { beforeEach, describe, expect, it } from 'vitest';
import { opportunityStreamId, type Stage } from '../../domain/opportunity/opportunity.js';
import type { Money } from '../../domain/shared/money.js';
import { OPPORTUNITIES, OWNER_STAGE_TOTALS, pipelineProjection, STAGE_TOTALS } from '../../projections/pipeline/pipelineProjection.js';
import { projectionSpecification, type GivenEvent } from '../support/projectionSpecification.js';

const cny = (minor: number): Money => ({ minor, currency: 'CNY' });
const usd = (minor: number): Money => ({ minor, currency: 'USD' });

/** The time the helper gives the event at this global position: one second apart from 09:00:01. */
const at = (position: number) => `2026-03-02T09:00:${String(position).padStart(2, '0')}.000Z`;

const opened = (opportunityId: string, ownerId: string, amount: Money, leadId?: string): GivenEvent => ({
  streamId: opportunityStreamId(opportunityId),
  type: 'OpportunityOpened',
  data: {
    opportunityId,
    customerId: 'c1',
    title: `Core banking renewal ${opportunityId}`,
    ownerId,
    amount,
    stage: 'qualification',
    ...(leadId ? { leadId } : {}),
  },
  metadata: { customerId: 'c1' },
});
const stageChanged = (opportunityId: string, from: Stage, to: Stage, reason?: string): GivenEvent => ({
  streamId: opportunityStreamId(opportunityId),
  type: 'OpportunityStageChanged',
  data: { opportunityId, from, to, ...(reason ? { reason } : {}) },
});
const won = (opportunityId: string, amount: Money): GivenEvent => ({
  streamId: opportunityStreamId(opportunityId),
  type: 'OpportunityWon',
  data: { opportunityId, customerId: 'c1', amount, reason: 'best total cost' },
});
const lost = (opportunityId: string): GivenEvent => ({
  streamId: opportunityStreamId(opportunityId),
  type: 'OpportunityLost',
  data: { opportunityId, customerId: 'c1', reason: 'budget frozen' },
});
const reassigned = (opportunityId: string, from: string, to: string): GivenEvent => ({
  streamId: opportunityStreamId(opportunityId),
  type: 'OpportunityReassigned',
  data: { opportunityId, from, to, reason: 'territory change' },
});

/** Totals are exact: a number while safe, a decimal string past what a number holds (a spec gives those as a bigint). */
type Total = { minor: number | bigint; currency: string };
const stored = (minor: number | bigint) => (typeof minor === 'bigint' ? String(minor) : minor);
const stageTotal = (stage: Stage, { minor, currency }: Total, count: number) => ({ id: `${stage}|${currency}`, stage, currency, count, totalMinor: stored(minor) });
const ownerTotal = (ownerId: string, stage: Stage, { minor, currency }: Total, count: number) => ({
  id: `${ownerId}|${stage}|${currency}`,
  ownerId,
  stage,
  currency,
  count,
  totalMinor: stored(minor),
});

/** A deal as listed, opened by the first event for c1 as `opened` builds it. */
const deal = (
  id: string,
  ownerId: string,
  amount: Money,
  changes: { stage?: Stage; status?: 'open' | 'won' | 'lost'; updatedAt?: string; closedAt?: string | null } = {},
) => ({
  id,
  customerId: 'c1',
  title: `Core banking renewal ${id}`,
  ownerId,
  stage: changes.stage ?? 'qualification',
  status: changes.status ?? 'open',
  amount,
  amountMinor: amount.minor,
  currency: amount.currency,
  openedAt: at(1),
  updatedAt: changes.updatedAt ?? at(1),
  closedAt: changes.closedAt ?? null,
});

let spec: ReturnType<typeof projectionSpecification>;

beforeEach(() => {
  spec = projectionSpecification(pipelineProjection);
});

describe('pipeline projection', () => {
  it('lists an opened deal as open in its first stage, with its customer, owner, amount and opening time', () => {
    spec.given(opened('o1', 'rep-1', cny(800_000), 'l1'));
    expect(spec.documents(OPPORTUNITIES)).toEqual([
      {
        id: 'o1',
        customerId: 'c1',
        title: 'Core banking renewal o1',
        ownerId: 'rep-1',
        stage: 'qualification',
        status: 'open',
        amount: cny(800_000),
        amountMinor: 800_000,
        currency: 'CNY',
        openedAt: at(1),
        updatedAt: at(1),
        closedAt: null,
      },
    ]);
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', cny(800_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-1', 'qualification', cny(800_000), 1)]);
  });

  it('counts and sums open deals per stage and currency, overall and per owner', () => {
    spec.given(opened('o1', 'rep-1', cny(800_000)), opened('o2', 'rep-2', cny(200_000)), opened('o3', 'rep-1', usd(50_000)));
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', cny(1_000_000), 2), stageTotal('qualification', usd(50_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([
      ownerTotal('rep-1', 'qualification', cny(800_000), 1),
      ownerTotal('rep-1', 'qualification', usd(50_000), 1),
      ownerTotal('rep-2', 'qualification', cny(200_000), 1),
    ]);
  });

  it('records a stage change on the deal with the time of the move, keeping when it opened', () => {
    spec.given(opened('o1', 'rep-1', cny(800_000)), stageChanged('o1', 'qualification', 'discovery'));
    expect(spec.document(OPPORTUNITIES, 'o1')).toEqual(deal('o1', 'rep-1', cny(800_000), { stage: 'discovery', updatedAt: at(2) }));
  });

  it('moves a deal forwards from the old stage totals into the new, overall and for its owner', () => {
    spec.given(opened('o1', 'rep-1', cny(800_000)), opened('o2', 'rep-2', cny(200_000)), stageChanged('o1', 'qualification', 'discovery'));
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('discovery', cny(800_000), 1), stageTotal('qualification', cny(200_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([
      ownerTotal('rep-1', 'discovery', cny(800_000), 1),
      ownerTotal('rep-2', 'qualification', cny(200_000), 1),
    ]);
  });

  it('moves a deal sent back a stage out of the later stage totals and into the earlier ones', () => {
    spec.given(
      opened('o1', 'rep-1', cny(800_000)),
      opened('o2', 'rep-1', cny(300_000)),
      stageChanged('o1', 'qualification', 'discovery'),
      stageChanged('o2', 'qualification', 'discovery'),
      stageChanged('o1', 'discovery', 'proposal'),
      stageChanged('o1', 'proposal', 'discovery', 'the buyer reopened the requirements'),
    );
    expect(spec.document(OPPORTUNITIES, 'o1')).toEqual(deal('o1', 'rep-1', cny(800_000), { stage: 'discovery', updatedAt: at(6) }));
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('discovery', cny(1_100_000), 2)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-1', 'discovery', cny(1_100_000), 2)]);
  });

  it('deletes a stage total, overall and for the owner, when the last deal leaves the stage', () => {
    spec.given(opened('o1', 'rep-1', cny(800_000)), stageChanged('o1', 'qualification', 'discovery'));
    expect(spec.document(STAGE_TOTALS, 'qualification|CNY')).toBeNull();
    expect(spec.document(OWNER_STAGE_TOTALS, 'rep-1|qualification|CNY')).toBeNull();
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('discovery', cny(800_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-1', 'discovery', cny(800_000), 1)]);
  });

  it('keeps the totals of each currency in a stage apart as deals move', () => {
    spec.given(opened('o1', 'rep-1', cny(800_000)), opened('o2', 'rep-1', usd(50_000)), stageChanged('o2', 'qualification', 'discovery'));
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('discovery', usd(50_000), 1), stageTotal('qualification', cny(800_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([
      ownerTotal('rep-1', 'discovery', usd(50_000), 1),
      ownerTotal('rep-1', 'qualification', cny(800_000), 1),
    ]);
  });

  it('marks a won deal won and closed at the time of the win, and takes it out of every total', () => {
    spec.given(
      opened('o1', 'rep-1', cny(800_000)),
      opened('o2', 'rep-1', cny(200_000)),
      stageChanged('o1', 'qualification', 'discovery'),
      stageChanged('o2', 'qualification', 'discovery'),
      won('o1', cny(800_000)),
    );
    expect(spec.document(OPPORTUNITIES, 'o1')).toEqual(
      deal('o1', 'rep-1', cny(800_000), { stage: 'discovery', status: 'won', updatedAt: at(5), closedAt: at(5) }),
    );
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('discovery', cny(200_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-1', 'discovery', cny(200_000), 1)]);
  });

  it('marks a lost deal lost and closed at the time of the loss, deleting the totals it was the last of', () => {
    spec.given(opened('o1', 'rep-1', cny(800_000)), stageChanged('o1', 'qualification', 'proposal'), lost('o1'));
    expect(spec.documents(OPPORTUNITIES)).toEqual([
      deal('o1', 'rep-1', cny(800_000), { stage: 'proposal', status: 'lost', updatedAt: at(3), closedAt: at(3) }),
    ]);
    expect(spec.documents(STAGE_TOTALS)).toEqual([]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([]);
  });

  it('hands an open deal, and its amount in the owner totals, to its new owner, leaving the stage totals as they were', () => {
    spec.given(
      opened('o1', 'rep-1', cny(800_000)),
      opened('o2', 'rep-1', cny(200_000)),
      opened('o3', 'rep-2', cny(100_000)),
      reassigned('o1', 'rep-1', 'rep-2'),
    );
    expect(spec.document(OPPORTUNITIES, 'o1')).toEqual(deal('o1', 'rep-2', cny(800_000), { updatedAt: at(4) }));
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', cny(1_100_000), 3)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([
      ownerTotal('rep-1', 'qualification', cny(200_000), 1),
      ownerTotal('rep-2', 'qualification', cny(900_000), 2),
    ]);
  });

  it("deletes the previous owner's total when their last deal in the stage is reassigned", () => {
    spec.given(opened('o1', 'rep-1', cny(800_000)), reassigned('o1', 'rep-1', 'rep-2'));
    expect(spec.document(OWNER_STAGE_TOTALS, 'rep-1|qualification|CNY')).toBeNull();
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-2', 'qualification', cny(800_000), 1)]);
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', cny(800_000), 1)]);
  });

  it('changes the owner of a closed deal without putting it back into any total', () => {
    spec.given(
      opened('o1', 'rep-1', cny(800_000)),
      opened('o2', 'rep-1', cny(200_000)),
      won('o1', cny(800_000)),
      reassigned('o1', 'rep-1', 'rep-2'),
    );
    expect(spec.document(OPPORTUNITIES, 'o1')).toEqual(deal('o1', 'rep-2', cny(800_000), { status: 'won', updatedAt: at(4), closedAt: at(3) }));
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', cny(200_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-1', 'qualification', cny(200_000), 1)]);
  });

  describe('past what a JSON number holds exactly', () => {
    const AMOUNT_LIMIT = 1_000_000_000_000_000;
    /** Nine deals at the amount limit and one just under: 9,999,999,999,999,999, which no JavaScript number holds. */
    const tenDeals = () => [
      ...Array.from({ length: 9 }, (_, n) => opened(`o${n + 1}`, 'rep-1', cny(AMOUNT_LIMIT))),
      opened('o10', 'rep-2', cny(AMOUNT_LIMIT - 1)),
    ];

    it('sums the deals exactly, overall and per owner', () => {
      spec.given(...tenDeals());
      expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', { minor: 9_999_999_999_999_999n, currency: 'CNY' }, 10)]);
      expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([
        ownerTotal('rep-1', 'qualification', { minor: 9_000_000_000_000_000, currency: 'CNY' }, 9),
        ownerTotal('rep-2', 'qualification', cny(AMOUNT_LIMIT - 1), 1),
      ]);
    });

    it('comes back to the exact figure as deals move on, with no rounding left behind', () => {
      spec.given(...tenDeals(), ...Array.from({ length: 8 }, (_, n) => lost(`o${n + 1}`)), stageChanged('o9', 'qualification', 'discovery'));
      expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('discovery', cny(AMOUNT_LIMIT), 1), stageTotal('qualification', cny(AMOUNT_LIMIT - 1), 1)]);
      expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([
        ownerTotal('rep-1', 'discovery', cny(AMOUNT_LIMIT), 1),
        ownerTotal('rep-2', 'qualification', cny(AMOUNT_LIMIT - 1), 1),
      ]);
    });
  });

  it('changes nothing for events of types it does not follow, even about a deal it lists', () => {
    spec.given(
      opened('o1', 'rep-1', cny(800_000)),
      {
        streamId: opportunityStreamId('o1'),
        type: 'OpportunityNeedsRecorded',
        data: { opportunityId: 'o1', needs: ['real-time settlement'], proposedSolution: 'core upgrade' },
      },
      { streamId: opportunityStreamId('o1'), type: 'OpportunitySourceLinked', data: { opportunityId: 'o1', campaignId: 'cmp-1' } },
      {
        streamId: 'quote-q1',
        type: 'QuoteAccepted',
        data: { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', total: cny(750_000) },
        metadata: { customerId: 'c1' },
      },
    );
    expect(spec.documents(OPPORTUNITIES)).toEqual([deal('o1', 'rep-1', cny(800_000))]);
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', cny(800_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-1', 'qualification', cny(800_000), 1)]);
  });

  it('changes nothing when a deal it never saw opened moves, closes or changes hands', () => {
    spec.given(
      opened('o1', 'rep-1', cny(800_000)),
      stageChanged('o9', 'qualification', 'discovery'),
      reassigned('o9', 'rep-1', 'rep-2'),
      won('o9', cny(500_000)),
      lost('o8'),
    );
    expect(spec.documents(OPPORTUNITIES)).toEqual([deal('o1', 'rep-1', cny(800_000))]);
    expect(spec.documents(STAGE_TOTALS)).toEqual([stageTotal('qualification', cny(800_000), 1)]);
    expect(spec.documents(OWNER_STAGE_TOTALS)).toEqual([ownerTotal('rep-1', 'qualification', cny(800_000), 1)]);
  });
});
