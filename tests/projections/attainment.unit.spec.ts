import { beforeEach, describe, expect, it } from 'vitest';
import { ATTAINMENT_DOCS, attainmentId, attainmentProjection } from '../../projections/attainment/attainmentProjection.js';
import { cny, IncentiveHistory } from '../support/incentiveHistory.js';
import { projectionSpecification } from '../support/projectionSpecification.js';

let spec: ReturnType<typeof projectionSpecification<(typeof attainmentProjection.handles)[number]>>;
let h: IncentiveHistory;
const replay = () => spec.given(...h.events.map(({ streamId, type, data, occurredAt }) => ({ streamId, type, data, metadata: { occurredAt } })));
const row = (kind: 'rep' | 'team' | 'region', id: string, period: string) => spec.document(ATTAINMENT_DOCS, attainmentId(kind, id, period));

beforeEach(() => {
  spec = projectionSpecification(attainmentProjection);
  h = new IncentiveHistory().setUp({ reps: ['rep-1', 'rep-2'], targets: { 'rep-1': 1_000_000 } });
  h.add('customer-c1', 'CustomerRegistered', { customerId: 'c1', name: 'Bank', industry: 'finance', region: 'north' });
  h.add('target-east', 'TargetSet', { targetId: 't-east', subject: { kind: 'team', id: 'east' }, period: '2026-Q4', metric: 'bookings', amount: cny(3_000_000), setBy: 'mgr-1' });
});

describe('attainment projection', () => {
  it("books an order for its seller, the seller's team and the customer's region, in its month, quarter and year, with its margin", () => {
    h.at('2026-11-10T02:00:00.000Z');
    h.order('rep-1', 6, 20);
    replay();
    for (const period of ['2026-11', '2026-Q4', '2026']) {
      expect(row('rep', 'rep-1', period)).toMatchObject({ booked: { CNY: 480_000 }, grossMargin: { CNY: 240_000 }, newCustomers: 1, orders: 1 });
      expect(row('team', 'east', period)).toMatchObject({ booked: { CNY: 480_000 } });
      expect(row('region', 'north', period)).toMatchObject({ booked: { CNY: 480_000 } });
    }
    expect(row('rep', 'rep-1', '2026-Q4')).toMatchObject({ team: 'east', targets: { bookings: cny(1_000_000) } });
    expect(row('team', 'east', '2026-Q4')).toMatchObject({ targets: { bookings: cny(3_000_000) } });
  });

  it('counts cash by the day it moved, and takes a cancelled order off what was booked', () => {
    h.at('2026-11-10T02:00:00.000Z');
    const order = h.order('rep-1', 5);
    h.pay(order.orderId, 200_000, '2026-12-01T02:00:00.000Z');
    h.refund(order.orderId, 50_000, '2026-12-02T02:00:00.000Z');
    h.cancel(order.orderId, order.total);
    replay();
    expect(row('rep', 'rep-1', '2026-11')).toMatchObject({ booked: { CNY: 0 }, collected: {}, newCustomers: 0, orders: 0 });
    expect(row('rep', 'rep-1', '2026-12')).toMatchObject({ collected: { CNY: 150_000 } });
  });

  it('credits the seller who owned the deal when it was ordered, and counts a customer new only on its first order', () => {
    h.at('2026-11-10T02:00:00.000Z');
    const first = h.order('rep-2', 1);
    h.add(`opportunity-${first.opportunityId}`, 'OpportunityReassigned', { opportunityId: first.opportunityId, from: 'rep-2', to: 'rep-1' });
    h.order('rep-1', 1);
    replay();
    expect(row('rep', 'rep-2', '2026-Q4')).toMatchObject({ booked: { CNY: 100_000 }, newCustomers: 1 });
    expect(row('rep', 'rep-1', '2026-Q4')).toMatchObject({ booked: { CNY: 100_000 }, newCustomers: 0 });
  });
});
