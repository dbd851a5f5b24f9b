import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandPipeline } from '../../application/commandPipeline.js';
import { AggregateCommands } from '../../application/commands/aggregateCommands.js';
import { INCENTIVE_CLOSE, statementIdFor } from '../../application/commands/incentiveCommands.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { ledgerFromLog } from '../../application/incentives/ledgerFromLog.js';
import { INCENTIVE_PERIODS_ID, incentivePeriodAggregate } from '../../domain/incentive/incentivePeriod.js';
import { computeStatement, repsPaidIn } from '../../domain/incentive/ledger.js';
import { incentiveStatementAggregate } from '../../domain/incentive/statement.js';
import { cny, incentiveSetUp, orderOf, pay } from '../support/incentiveDeals.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-10-01T02:00:00.000Z', now() { return this.at; } };
const PERIOD = '2026-Q4';
let t: TestApp;
let orderId: string;

beforeAll(async () => {
  t = await startTestApp({ clock });
  const { customerId } = await incentiveSetUp(t);
  ({ orderId } = await orderOf(t, customerId, 4));
  await pay(t, orderId, 300_000, 'BOC-1');
  clock.at = '2027-01-02T02:00:00.000Z';
});
afterAll(() => t.close());

/**
 * What a close writes before it dies after its first statement: the period with its cut and the
 * reps it pays, then the first rep's statement, through the same pipeline and store as the system.
 */
const closeAndDieAfterFirstStatement = async () => {
  const { eventStore, personalData } = t.system;
  const pipeline = new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData });
  const cutPosition = (await eventStore.headPosition())!;
  const ledger = await ledgerFromLog(eventStore, cutPosition);
  const listed = repsPaidIn(ledger, PERIOD).map((repId) => ({ statementId: statementIdFor(PERIOD, repId), repId }));
  const closing = { commandId: 'close-2026-Q4-first', actor: { id: 'dev-finance', role: 'finance' }, correlationId: 'close' };
  await new AggregateCommands(pipeline, incentivePeriodAggregate).create(INCENTIVE_PERIODS_ID, { type: 'CloseIncentivePeriod', period: PERIOD, cutPosition, statements: listed }, closing);
  const [written] = listed;
  const statement = computeStatement(ledger, { statementId: written!.statementId, repId: written!.repId, period: PERIOD })!;
  await new AggregateCommands(pipeline, incentiveStatementAggregate).create(
    written!.statementId,
    { type: 'CalculateIncentive', statement },
    { commandId: `incentive-close ${written!.statementId}`, actor: INCENTIVE_CLOSE, correlationId: 'close', causationId: closing.commandId },
  );
  return { cutPosition, listed };
};

describe('a period close cut short', () => {
  it('is finished by closing again: the missing statement computed to the recorded cut, the written one not written twice', async () => {
    const { eventStore } = t.system;
    const { cutPosition, listed } = await closeAndDieAfterFirstStatement();
    expect(listed.map((s) => s.repId)).toEqual(['dev-sales-manager', 'dev-sales-rep']);
    const [managers, reps] = listed as [(typeof listed)[number], (typeof listed)[number]];
    const [managersBefore] = await eventStore.readStream(`incentivestatement-${managers.statementId}`);
    expect(await eventStore.readStream(`incentivestatement-${reps.statementId}`)).toEqual([]);

    // A payment received in December but recorded after the cut: the period's statements must not see it.
    const late = await t.post(`/orders/${orderId}/payments`, { amount: cny(100_000), receivedAt: '2026-12-20T02:00:00.000Z', reference: 'BOC-2' }, { role: 'finance' });
    expect(late.statusCode, late.body).toBe(201);

    const finished = await t.post(`/incentives/periods/${PERIOD}/close`, {}, { role: 'finance' });
    expect(finished.statusCode, finished.body).toBe(200);
    expect(finished.json()).toMatchObject({ cutPosition, statements: listed, events: [] });

    const managersAfter = await eventStore.readStream(`incentivestatement-${managers.statementId}`);
    expect(managersAfter.map((e) => e.eventId)).toEqual([managersBefore!.eventId]);
    const [calculated] = await eventStore.readStream(`incentivestatement-${reps.statementId}`);
    // 300,000 paid by the cut at 2%; the 100,000 recorded after it would have made 8,000.
    expect(calculated!.data).toMatchObject({ cutPosition, total: cny(6_000), measureTotal: cny(300_000) });

    const head = await eventStore.headPosition();
    const again = await t.post(`/incentives/periods/${PERIOD}/close`, {}, { role: 'finance' });
    expect(again.statusCode).toBe(422);
    expect(again.json().rule.id).toBe('INC-20');
    expect(await eventStore.headPosition()).toBe(head);

    const recompute = await t.post('/incentives/recompute', { repId: 'dev-sales-rep', period: PERIOD }, { role: 'auditor' });
    expect(recompute.json().diff.identical).toBe(true);
  });

  it('answers a close retried under the same Idempotency-Key as the first, appending nothing; the late payment lands in the next period', async () => {
    clock.at = '2027-02-01T02:00:00.000Z';
    const headers = { 'idempotency-key': 'close-2027-01-0001' };
    const first = await t.post('/incentives/periods/2027-01/close', {}, { role: 'finance', headers });
    expect(first.statusCode, first.body).toBe(200);
    const head = await t.system.eventStore.headPosition();
    const retried = await t.post('/incentives/periods/2027-01/close', {}, { role: 'finance', headers });
    expect(retried.statusCode).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.json()).toEqual(first.json());
    expect(await t.system.eventStore.headPosition()).toBe(head);

    const statementId = statementIdFor('2027-01', 'dev-sales-rep');
    const statement = (await t.get(`/incentives/statements/${statementId}?after=${head}`, { role: 'finance' })).json();
    expect(statement.lines).toMatchObject([{ kind: 'credit', late: true, day: '2026-12-20', amount: cny(2_000), measure: cny(100_000) }]);
  });
});
