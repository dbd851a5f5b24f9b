import { forecastAggregate, forecastRules } from '../../domain/forecast/forecast.js';
import { refuse } from '../../domain/shared/decider.js';
import { periodOfKey } from '../../domain/shared/periods.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { RuleRefused } from '../errors.js';
import type { PipelineHistory } from '../ports/pipelineHistory.js';
import { AggregateCommands } from './aggregateCommands.js';

/** The forecast snapshot taken as each month begins (article 19), by the deadline watcher. */
export const forecastCommands = (pipeline: CommandPipeline, history: PipelineHistory) => {
  const forecasts = new AggregateCommands(pipeline, forecastAggregate);
  return {
    /**
     * Takes the month's snapshot: the pipeline replayed up to the instant before the month began,
     * so a deal opened at its first instant is the month's, not its forecast's.
     */
    take: (month: string, envelope: CommandEnvelope) =>
      forecasts.create(month, { type: 'TakeForecastSnapshot', period: month }, envelope, {
        facts: async () => {
          const period = periodOfKey(month);
          // A key that names no month has no instant to replay the pipeline to: FCS-03 refuses it before any replay.
          if (period?.kind !== 'month') throw new RuleRefused(refuse(forecastRules.calendarMonth, `${month} is not a month such as 2026-04`));
          return { pipeline: await history.forecastAt(new Date(Date.parse(period.start) - 1).toISOString()) };
        },
      }),
  };
};

export type ForecastCommands = ReturnType<typeof forecastCommands>;
