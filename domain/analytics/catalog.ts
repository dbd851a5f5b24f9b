import { PERIOD_KINDS } from '../shared/periods.js';
import { ATTRIBUTION_MODELS } from './attribution.js';
import { METRICS, type MetricDefinition } from './metrics.js';

/** A metric as the catalogue states it to a reader: its names, formula, counted events, groups, periods and models, as plain data. */
export const describeMetric = (metric: MetricDefinition) => ({
  id: metric.id,
  name: metric.name,
  nameZh: metric.nameZh,
  unit: metric.unit,
  formula: metric.formula,
  counts: metric.counts,
  events: [...metric.events],
  attributedTo: metric.attributedTo,
  groupBy: [...metric.groupBy],
  periods: [...(metric.periods ?? PERIOD_KINDS)],
  split: metric.split ?? null,
  models: metric.credited ? [...ATTRIBUTION_MODELS] : [],
});

export const describeCatalog = () => METRICS.map(describeMetric);
