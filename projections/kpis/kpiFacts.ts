import type { FactKind, KpiFact } from '../../domain/analytics/facts.js';
import type { ReplayedViews } from '../pointInTime.js';
import type { ViewReader } from '../viewReader.js';
import { kindAt, KPI_FACTS, KPIS, type FactDocument } from './kpiProjection.js';

/** Where a KPI question reads its facts: the live view, or the view replayed as of a past moment. */
export interface FactSource {
  /** The facts of these kinds attributed to an instant in [from, to). */
  facts(kinds: readonly FactKind[], from: string, to: string): Promise<KpiFact[]>;
}

/** Facts per page: a question over a quarter reads them a few thousand at a time. */
const PAGE = 2_000;

const asFact = ({ kindAt: _kindAt, ...fact }: FactDocument): KpiFact => fact as KpiFact;

/** From the live view: one index range per kind (kind and instant together), a page at a time. */
export const liveFacts = (views: ViewReader): FactSource => ({
  async facts(kinds, from, to) {
    const found: KpiFact[] = [];
    for (const kind of kinds) {
      let cursor: string | undefined;
      do {
        const page = await views.find(KPIS, KPI_FACTS, {
          where: { kindAt: { gte: kindAt(kind, from), lt: kindAt(kind, to) } },
          orderBy: { field: 'kindAt', direction: 'asc' },
          limit: PAGE,
          ...(cursor ? { cursor } : {}),
        });
        for (const doc of page.items) found.push(asFact(doc as FactDocument));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return found;
  },
});

/** From a replay of the log up to a past moment. */
export const replayedFacts = (views: ReplayedViews): FactSource => ({
  async facts(kinds, from, to) {
    const start = Date.parse(from);
    const end = Date.parse(to);
    const found: KpiFact[] = [];
    for (const doc of views.documents(KPIS, KPI_FACTS)) {
      const fact = doc as FactDocument;
      const at = Date.parse(fact.at);
      if (kinds.includes(fact.kind) && at >= start && at < end) found.push(asFact(fact));
    }
    return found.sort((a, b) => a.kind.localeCompare(b.kind) || a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  },
});
