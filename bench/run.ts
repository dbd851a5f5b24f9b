import { pipelineBenchmark } from './pipelineVsRawInsert.js';
import { rebuildBenchmark } from './rebuildVsRawRead.js';
import { report } from './support.js';
import { httpBenchmark } from './httpVsBareRoute.js';
import { printEvaluation } from './claimsEvaluation.js';
import { printLongStreams } from './longStreams.js';
import { kpiBenchmark } from './kpiVsSqlAggregate.js';
import { scaleBenchmark } from './scale.js';
import { printViewsAtScale, viewsAtScaleBenchmark } from './viewsAtScale.js';

/**
 * `npm run bench`: each figure against a baseline measured in the same run, printed as
 * a ratio, since these machines are shared and absolute numbers drift; then the scale section
 * against the goals of issue 14. `npm run bench -- ratios` or `npm run bench -- scale` runs one part.
 * BENCH_STREAMS, BENCH_HTTP_SECONDS, BENCH_HTTP_ROUNDS, BENCH_KPI_EVENTS and BENCH_KPI_ROUNDS
 * shrink or grow the runs; BENCH_LONG_STREAM, BENCH_LONG_STREAM_COMMANDS and BENCH_HISTORY_EVENTS
 * the long-stream section's; BENCH_VIEW_EVENTS and BENCH_QUERY_ROUNDS the views' section (9);
 * BENCH_EVENTS the scale section's log (a million events by default).
 */
const streams = Number(process.env.BENCH_STREAMS ?? 10_000);
const httpSeconds = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const httpRounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const kpiEvents = Number(process.env.BENCH_KPI_EVENTS ?? 100_000);
const kpiRounds = Number(process.env.BENCH_KPI_ROUNDS ?? 100);
const viewEvents = Number(process.env.BENCH_VIEW_EVENTS ?? 100_000);
const queryRounds = Number(process.env.BENCH_QUERY_ROUNDS ?? 50);
const scaleEvents = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const part = process.argv[2];
if (part !== undefined && part !== 'ratios' && part !== 'scale') {
  console.error(`npm run bench [-- ratios | scale]: there is no part called ${part}`);
  process.exit(2);
}

if (part !== 'scale') {
  console.log(`node ${process.version}; ${streams} streams x 10 events; HTTP ${httpRounds} rounds of ${httpSeconds}s, 64 connections\n`);

  const pipeline = await pipelineBenchmark(streams, 10);
  report({
    name: '(1) commands through the pipeline, in process (load, fold, decide, hash chain, append; 64 in flight)',
    unit: 'commands/s',
    ours: pipeline.ours,
    baseline: pipeline.baseline,
    baselineName: 'raw better-sqlite3 insert with the same revision check, one transaction per event, same durability',
    goal: 0.8,
  });

  try {
    const rebuild = await rebuildBenchmark(pipeline.logDir);
    report({
      name: '(2) pipeline view rebuilt from zero by the projection runner (median of 3 rounds)',
      unit: 'events/s',
      ours: rebuild.ours,
      baseline: rebuild.baseline,
      baselineName: 'raw read of the same log with JSON.parse of data and metadata',
      goal: 0.6,
    });
    console.log(`  rounds: ours ${rebuild.rounds.ours.map((r) => r.toFixed(0)).join(', ')}; baseline ${rebuild.rounds.baseline.map((r) => r.toFixed(0)).join(', ')}\n`);
  } finally {
    pipeline.workspace.remove();
  }

  const http = await httpBenchmark(httpRounds, httpSeconds);
  report({
    name: '(3) POST /customers over HTTP, 64 connections (median of rounds)',
    unit: 'requests/s',
    ours: http.ours,
    baseline: http.baseline,
    baselineName: 'bare fastify + zod route, one synchronous SQLite insert per request, same durability',
    goal: 1.0,
  });
  console.log(`  rounds: ours ${http.rounds.ours.map((r) => r.toFixed(0)).join(', ')}; baseline ${http.rounds.baseline.map((r) => r.toFixed(0)).join(', ')}`);

  console.log('\n(4) false-claim detection on the labelled corpus (also npm run claims:eval)');
  printEvaluation();

  const kpis = await kpiBenchmark(kpiEvents, kpiRounds);
  console.log('');
  report({
    name: `(5) KPI query: win rate per owner per month over a year, from the KPI view (${kpis.events} events, ${kpis.deals} deals; median of ${kpiRounds} rounds)`,
    unit: 'queries/s',
    ours: 1000 / kpis.ours.p50,
    baseline: 1000 / kpis.baseline.p50,
    baselineName: 'hand-written SQL aggregate over the same events in the log (json_extract, one pass grouped by stream, then by owner and month)',
    goal: 1.0,
  });
  console.log(
    `  latency: ours p50 ${kpis.ours.p50.toFixed(1)} ms, p99 ${kpis.ours.p99.toFixed(1)} ms; baseline p50 ${kpis.baseline.p50.toFixed(1)} ms, p99 ${kpis.baseline.p99.toFixed(1)} ms; KPI view built from zero in ${kpis.buildSeconds.toFixed(1)} s\n`,
  );
  report({
    name: `(6) ?asOf=: the KPI view replayed from the log as of its last event (${kpis.events} events; median of 3 rounds)`,
    unit: 'events/s',
    ours: kpis.replay.ours,
    baseline: kpis.replay.baseline,
    baselineName: 'raw read of the same log with JSON.parse of data and metadata',
    goal: 0.2,
  });
  console.log(`  an asOf question over the whole log waits ${(kpis.events / kpis.replay.ours).toFixed(1)} s the first time; asked again, it is answered from memory`);

  await printLongStreams();

  console.log('');
  printViewsAtScale(await viewsAtScaleBenchmark(viewEvents, queryRounds), `BENCH_VIEW_EVENTS=${viewEvents} BENCH_QUERY_ROUNDS=${queryRounds} npm run bench -- ratios`);
}

if (part !== 'ratios') await scaleBenchmark(scaleEvents, { rounds: httpRounds, seconds: httpSeconds });
