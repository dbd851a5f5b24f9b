import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTION_MODELS } from '../../domain/analytics/attribution.js';
import { METRIC_IDS, METRICS } from '../../domain/analytics/metrics.js';
import { storedEventTypes } from '../../domain/aggregates.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const cell = (text: string) => text.replaceAll('|', '\\|');

describe('the KPI catalog', () => {
  it('defines every metric the issue names, each once', () => {
    for (const id of [
      'win_rate',
      'win_rate_by_value',
      'sales_cycle_days',
      'stage_conversion',
      'time_in_stage_days',
      'deal_size_avg',
      'discount_depth',
      'quote_to_order_rate',
      'on_time_delivery_rate',
      'promise_kept_rate',
      'findings_per_100_promises',
      'lead_conversion_rate',
      'pipeline_created',
      'pipeline_closed',
      'pipeline_coverage',
      'forecast_accuracy_mape',
    ]) {
      expect(METRIC_IDS).toContain(id);
    }
    expect(new Set(METRIC_IDS).size).toBe(METRIC_IDS.length);
  });

  it('names only events the system stores, and an attribution model only for metrics whose amounts are credited', () => {
    for (const metric of METRICS) {
      for (const type of metric.events) expect(storedEventTypes, `${metric.id} counts ${type}`).toContain(type);
      expect(metric.formula && metric.counts && metric.attributedTo && metric.name && metric.nameZh, metric.id).toBeTruthy();
    }
    expect(ATTRIBUTION_MODELS).toEqual(['first_touch', 'last_touch', 'linear']);
  });

  it('is written out in the README, formula, events and attributed time as the catalog has them', () => {
    for (const metric of METRICS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${metric.id}\` `));
      expect(row, `README row for ${metric.id}`).toBeDefined();
      expect(row).toContain(`| ${cell(metric.formula)} | ${cell(metric.counts)} | ${cell(metric.attributedTo)} |`);
    }
  });
});
