import { fxPairId, fxRateAggregate, type RecordFxRate } from '../../domain/fx/fxRate.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { AlreadyExists } from '../errors.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Exchange rates finance records, one stream per pair of currencies, started by its first rate. */
export const fxRateCommands = (pipeline: CommandPipeline, eventStore: EventStore) => {
  const rates = new AggregateCommands(pipeline, fxRateAggregate);
  return {
    async record(rate: Payload<RecordFxRate>, envelope: CommandEnvelope) {
      const pairId = fxPairId(rate.from, rate.to);
      const command: RecordFxRate = { type: 'RecordFxRate', ...rate };
      const started = (await eventStore.readStream(fxRateAggregate.streamId(pairId), { maxCount: 1 })).length > 0;
      if (started) return { pairId, result: await rates.act(pairId, command, envelope) };
      try {
        return { pairId, result: await rates.create(pairId, command, envelope) };
      } catch (error) {
        // Two first rates of a pair at once: the one that lost the race is the pair's second.
        if (!(error instanceof AlreadyExists)) throw error;
        return { pairId, result: await rates.act(pairId, command, envelope) };
      }
    },
  };
};

export type FxRateCommands = ReturnType<typeof fxRateCommands>;
