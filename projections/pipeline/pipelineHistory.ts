import { policyInForce, policyRevisions } from '../../application/policy/policyInForce.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { PipelineHistory } from '../../application/ports/pipelineHistory.js';
import type { OwnerForecast } from '../../domain/forecast/forecast.js';
import type { PointInTime } from '../pointInTime.js';
import { REP_DOCS, REPS, type RepView } from '../reps/repsProjection.js';
import { forecast } from './forecast.js';
import { OWNER_STAGE_TOTALS, PIPELINE, type StageTotalView } from './pipelineProjection.js';

/**
 * Each seller's open pipeline at a past instant, from the pipeline and reps views replayed up to it,
 * weighed as GET /views/pipeline/forecast weighs it. A log whose first policy took effect after the
 * instant is weighed by that first revision, the default every store starts with.
 */
export const pipelineHistoryFromLog = (deps: { eventStore: EventStore; pointInTime: PointInTime }): PipelineHistory => ({
  async forecastAt(instant) {
    const policy = (await policyInForce(deps.eventStore, instant)) ?? (await policyRevisions(deps.eventStore))[0];
    if (!policy) throw new Error('No policy revision is published; revision 1 is published at start-up');
    const views = await deps.pointInTime.at(instant, [PIPELINE, REPS]);
    const rows = (await views.all(PIPELINE, OWNER_STAGE_TOTALS)) as (StageTotalView & { ownerId: string })[];
    const owners = new Map<string, Map<string, StageTotalView[]>>();
    for (const row of rows) {
      const byCurrency = owners.get(row.ownerId) ?? new Map<string, StageTotalView[]>();
      byCurrency.set(row.currency, [...(byCurrency.get(row.currency) ?? []), row]);
      owners.set(row.ownerId, byCurrency);
    }
    const forecasts: OwnerForecast[] = [];
    for (const [ownerId, byCurrency] of [...owners].sort(([a], [b]) => a.localeCompare(b))) {
      const rep = (await views.get(REPS, REP_DOCS, ownerId)) as RepView | null;
      for (const [currency, stageRows] of [...byCurrency].sort(([a], [b]) => a.localeCompare(b))) {
        const totals = stageRows.map((r) => ({ stage: r.stage, currency, count: r.count, totalMinor: BigInt(r.totalMinor) }));
        const { weighted } = forecast(totals, policy.stageProbabilities);
        forecasts.push({
          ownerId,
          team: rep?.team ?? null,
          currency,
          openCount: totals.reduce((n, t) => n + t.count, 0),
          openMinor: String(totals.reduce((sum, t) => sum + t.totalMinor, 0n)),
          weightedMinor: String(weighted.find((w) => w.currency === currency)?.minor ?? 0n),
        });
      }
    }
    return { position: views.position, policyRevision: policy.revision, owners: forecasts };
  },
});
