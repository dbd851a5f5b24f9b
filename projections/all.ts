import { pipelineProjection } from './pipeline/pipelineProjection.js';
import type { Projection } from './projection.js';

export const allProjections: Projection[] = [pipelineProjection];
