import type { OtherPlan } from '../../domain/incentive/plan.js';

/** Every incentive plan created, for the rule that no team or rep is paid by two plans at once (INC-03). */
export interface IncentivePlanDirectory {
  /** As of everything in the log when asked. */
  all(): Promise<OtherPlan[]>;
}
