import type { PipelineAtPeriodStart } from '../../domain/forecast/forecast.js';

/** The pipeline as it stood at a past moment, for the forecast snapshot taken as each month begins. */
export interface PipelineHistory {
  /**
   * Every seller's open pipeline at `instant`, replayed from the log up to it, per currency, and
   * weighed by the stage probabilities of the policy in force then; with the last position counted.
   */
  forecastAt(instant: string): Promise<PipelineAtPeriodStart>;
}
