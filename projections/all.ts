import { attainmentProjection } from './attainment/attainmentProjection.js';
import { complaintsProjection } from './complaints/complaintsProjection.js';
import { customer360Projection } from './customer360/customer360Projection.js';
import { customerStreamsProjection } from './customerStreams/customerStreamsProjection.js';
import { deadlinesProjection } from './deadlines/deadlinesProjection.js';
import { findingsProjection } from './findings/findingsProjection.js';
import { incentivesProjection } from './incentives/incentivesProjection.js';
import { kpiProjection } from './kpis/kpiProjection.js';
import { ordersProjection } from './orders/ordersProjection.js';
import { pipelineProjection } from './pipeline/pipelineProjection.js';
import { projectionOf, type Projection } from './projection.js';
import { quotesProjection } from './quotes/quotesProjection.js';
import { registrationsProjection } from './registrations/registrationsProjection.js';
import { repsProjection } from './reps/repsProjection.js';

export const allProjections: Projection[] = [
  projectionOf(pipelineProjection),
  customerStreamsProjection,
  projectionOf(quotesProjection),
  projectionOf(ordersProjection),
  deadlinesProjection,
  projectionOf(customer360Projection),
  projectionOf(findingsProjection),
  projectionOf(repsProjection),
  projectionOf(complaintsProjection),
  projectionOf(incentivesProjection),
  projectionOf(attainmentProjection),
  projectionOf(registrationsProjection),
  projectionOf(kpiProjection),
];
