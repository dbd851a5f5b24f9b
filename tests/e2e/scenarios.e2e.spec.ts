import { afterEach, describe, it } from 'vitest';
import { analystTour } from '../../scenarios/analystTour.js';
import { complaintFlow } from '../../scenarios/complaintFlow.js';
import { complianceTrail } from '../../scenarios/complianceTrail.js';
import { dealFlow } from '../../scenarios/dealFlow.js';
import { Scenario } from '../../scenarios/harness.js';
import { incentiveFlow } from '../../scenarios/incentiveFlow.js';

/** The README's walkthroughs, run as written against a listening server, so they cannot rot. */
let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

describe('README scenarios', () => {
  it('deal-flow: lead to delivered order, with approval and segregation of duties', async () => {
    scenario = await Scenario.start({ startAt: '2026-11-02T09:00:00.000Z', quiet: true });
    await dealFlow(scenario);
  });

  it('compliance-trail: policy, findings, waivers, overdue promise, replay, verification, recheck', async () => {
    scenario = await Scenario.start({ startAt: '2026-11-02T09:00:00.000Z', quiet: true });
    await complianceTrail(scenario);
  });

  it('complaint-flow: two complaints, a paused clock, a breach escalated by itself, refused remedy and closing, ratings, SLA report, replay', async () => {
    scenario = await Scenario.start({ startAt: '2026-11-02T09:00:00.000Z', quiet: true });
    await complaintFlow(scenario);
  });

  it('incentive-flow: targets, deals, SPIFF, discount penalty, hold, close, approvals, dispute, clawback, recompute and what-if', async () => {
    scenario = await Scenario.start({ startAt: '2026-11-02T09:00:00.000Z', quiet: true });
    await incentiveFlow(scenario);
  });

  it('analyst-tour: a quarter of activity, then KPI tables, forecast accuracy, attribution under two models, the pipeline as of the quarter\'s first day, an explain listing and a CSV export', async () => {
    scenario = await Scenario.start({ startAt: '2026-11-02T09:00:00.000Z', quiet: true });
    await analystTour(scenario);
  });
});
