import { customer360Projection } from './customer360/customer360Projection.js';
import { customerStreamsProjection } from './customerStreams/customerStreamsProjection.js';
import { deadlinesProjection } from './deadlines/deadlinesProjection.js';
import { findingsProjection } from './findings/findingsProjection.js';
import { ordersProjection } from './orders/ordersProjection.js';
import { pipelineProjection } from './pipeline/pipelineProjection.js';
import type { Projection } from './projection.js';
import { quotesProjection } from './quotes/quotesProjection.js';
import { repsProjection } from './reps/repsProjection.js';

export const allProjections: Projection[] = [pipelineProjection, customerStreamsProjection, quotesProjection, ordersProjection, deadlinesProjection, customer360Projection, findingsProjection, repsProjection];
