import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { pipelineProjection } from '../../projections/pipeline/pipelineProjection.js';
import { projectionOf } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/projectionRunner.js';

const dir = mkdtempSync(join(tmpdir(), 'rebuild-stall-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVENTS = 100_000;
/** Two events a deal: 50,000 deals, so building each of the view's indexes at the switch reads that many documents. */
const PER_DEAL = 2;
const STAGES = ['discovery', 'proposal', 'negotiation', 'qualification'] as const;

describe('a rebuild of 100,000 events', () => {
  it('never holds the event loop for 50 ms or more, so the API keeps answering while a view catches up and gets its indexes', async () => {
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const readStore = SqliteReadStore.open(join(dir, 'views.sqlite'));
    for (let deal = 0; deal < EVENTS / PER_DEAL; deal++) {
      const opportunityId = `o${deal}`;
      const metadata = { occurredAt: '2026-03-02T09:00:00.000Z' };
      await eventStore.append(
        `opportunity-${opportunityId}`,
        [
          { eventId: `${opportunityId}-0`, type: 'OpportunityOpened', data: { opportunityId, customerId: `c${deal % 500}`, title: 'Deal', ownerId: `rep-${deal % 40}`, amount: { minor: 100_000 + deal, currency: 'CNY' }, stage: 'qualification' }, metadata },
          ...Array.from({ length: PER_DEAL - 1 }, (_, step) => ({
            eventId: `${opportunityId}-${step + 1}`,
            type: 'OpportunityStageChanged',
            data: { opportunityId, from: step === 0 ? 'qualification' : STAGES[(step - 1) % STAGES.length]!, to: STAGES[step % STAGES.length]!, reason: 'customer asked' },
            metadata,
          })),
        ],
        { expectedRevision: 'no_stream' },
      );
    }
    const head = (await eventStore.headPosition())!;
    expect(head).toBeGreaterThanOrEqual(EVENTS);

    const runner = new ProjectionRunner({ eventStore, readStore, projections: [projectionOf(pipelineProjection)], logger: pino({ level: 'silent' }) });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    await runner.start();
    expect(await runner.waitFor([pipelineProjection.name], head, 120_000)).toBe(true);
    delay.disable();
    await runner.stop();
    await readStore.close();
    await eventStore.close();
    // Nanoseconds: the longest the loop waited to run a timer while the view caught up.
    expect(delay.max / 1e6).toBeLessThan(50);
  }, 180_000);
});
