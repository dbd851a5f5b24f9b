import { useCallback, useMemo, useState } from 'react';
import { answered, type Ledger, type Permission } from '../api';
import { Chart } from '../components/Chart';
import { DataTable, type Column } from '../components/DataTable';
import { ProblemNotice } from '../components/ProblemNotice';
import { download, toCsv } from '../csv';
import { companyToday, formatMoney, formatNumber, formatPercent } from '../format';
import { useI18n } from '../i18n/I18n';
import { loadKpis, metricsFor, type Granularity, type GroupBy, type KpiQuery, type Unit } from '../kpiSource';
import { useLive } from '../live';

/** KPIs are counted over whole periods: read again every half minute, not at every tick of the board. */
const KPI_INTERVAL_MS = 30_000;
const RANGES = [3, 6, 12] as const;

type Row = { period: string; group: string; value: number | null };

export const KpisPage = ({ ledger, permissions }: { ledger: Ledger; permissions: readonly Permission[] }) => {
  const { t, language } = useI18n();
  const metrics = useMemo(() => metricsFor(permissions), [permissions]);
  const [query, setQuery] = useState<KpiQuery>(() => ({ metric: metrics[0]?.id ?? 'findings.raised', granularity: 'month', months: 6, groupBy: 'none' }));
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const metric = metrics.find((m) => m.id === query.metric);
  const series = useLive(() => loadKpis(ledger, query), JSON.stringify(query), KPI_INTERVAL_MS);

  const valueText = useCallback(
    (unit: Unit) => (value: number) => (unit === 'ratio' ? formatPercent(value, language) : unit === 'minutes' ? t('compliance.minutes', { value: formatNumber(value, language, 0) }) : formatNumber(value, language)),
    [language, t],
  );
  const groupName = useCallback(
    (group: string | null) => {
      if (group === null) return t('kpis.allGroups');
      if (query.groupBy === 'severity' && ['low', 'medium', 'high', 'critical'].includes(group)) return t(`severity.${group as 'low'}`);
      return group;
    },
    [query.groupBy, t],
  );
  const answer = series.data;
  const categories = useMemo(() => (answer?.periods ?? []).map((p) => (query.granularity === 'month' ? p.from.slice(0, 7) : p.from)), [answer, query.granularity]);
  const chartSeries = useMemo(() => (answer?.series ?? []).map((s) => ({ name: groupName(s.group), values: s.values })), [answer, groupName]);
  const rows = useMemo<Row[]>(
    () => (answer ? answer.series.flatMap((s) => s.values.map((value, index) => ({ period: categories[index]!, group: groupName(s.group), value }))) : []),
    [answer, categories, groupName],
  );
  const metricName = metric ? t(`metric.${metric.id}`) : '';
  const columns = useMemo<Column<Row>[]>(
    () => [
      { id: 'period', header: t('kpis.period'), value: (row) => row.period },
      { id: 'group', header: t('kpis.group'), value: (row) => row.group },
      { id: 'value', header: metricName, value: (row) => row.value, cell: (row) => (row.value === null ? '—' : valueText(answer?.unit ?? 'count')(row.value)) },
    ],
    [t, metricName, valueText, answer],
  );

  const exportCsv = () =>
    download(
      `kpi-${query.metric}-${companyToday()}.csv`,
      toCsv(
        [t('kpis.period'), t('kpis.group'), metricName],
        rows.map((row) => [row.period, row.group, row.value]),
      ),
      'text/csv;charset=utf-8',
    );

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('kpis.title')}</h1>
      {permissions.includes('readViews') && <PipelineNow ledger={ledger} />}
      {metric && (
        <>
          <form className="filters" aria-label={t('common.filters')} onSubmit={(event) => event.preventDefault()}>
            <label>
              {t('kpis.metric')}
              <select data-filter value={query.metric} onChange={(event) => {
                  const next = metrics.find((m) => m.id === event.target.value)!;
                  setQuery({ ...query, metric: next.id, groupBy: next.groups[0]!, granularity: next.monthlyOnly ? 'month' : query.granularity });
                }}>
                {metrics.map((m) => (
                  <option key={m.id} value={m.id}>
                    {t(`metric.${m.id}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('kpis.granularity')}
              <select value={query.granularity} onChange={(event) => setQuery({ ...query, granularity: event.target.value as Granularity })}>
                <option value="month">{t('kpis.granularity.month')}</option>
                <option value="week" disabled={metric.monthlyOnly}>
                  {t('kpis.granularity.week')}
                </option>
              </select>
            </label>
            <label>
              {t('kpis.range')}
              <select value={query.months} onChange={(event) => setQuery({ ...query, months: Number(event.target.value) })}>
                {RANGES.map((months) => (
                  <option key={months} value={months}>
                    {t(`kpis.range.${months}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('kpis.groupBy')}
              <select value={query.groupBy} onChange={(event) => setQuery({ ...query, groupBy: event.target.value as GroupBy })}>
                {metric.groups.map((group) => (
                  <option key={group} value={group}>
                    {t(`group.${group}`)}
                  </option>
                ))}
              </select>
            </label>
            <fieldset className="segmented">
              <legend>{t('kpis.view')}</legend>
              {(['chart', 'table'] as const).map((option) => (
                <label key={option}>
                  <input type="radio" name="kpi-view" value={option} checked={view === option} onChange={() => setView(option)} />
                  {t(`kpis.view.${option}`)}
                </label>
              ))}
            </fieldset>
            <button type="button" onClick={exportCsv} disabled={!answer}>
              {t('kpis.exportCsv')}
            </button>
          </form>
          {series.problem && <ProblemNotice problem={series.problem} />}
          {!answer && !series.problem && <p aria-busy="true">{t('common.loading')}</p>}
          {answer && view === 'chart' && (
            <Chart
              label={t('kpis.overTime', { metric: metricName, granularity: t(`kpis.granularity.${query.granularity}`) })}
              kind={query.granularity === 'week' ? 'line' : 'bar'}
              categories={categories}
              series={chartSeries}
              valueLabel={valueText(answer.unit)}
              integers={answer.unit === 'count'}
              height={320}
            />
          )}
          {answer && view === 'table' && <DataTable caption={metricName} rows={rows} columns={columns} rowKey={(row) => `${row.period}|${row.group}`} />}
        </>
      )}
    </section>
  );
};

/** The pipeline as it stands: open deals and the forecast weighted by the policy in force. */
const PipelineNow = ({ ledger }: { ledger: Ledger }) => {
  const { t, language } = useI18n();
  const forecast = useLive(() => answered(ledger.GET('/views/pipeline/forecast', { params: { query: {} } })), 'forecast');
  if (!forecast.data) return forecast.problem ? <ProblemNotice problem={forecast.problem} /> : null;
  const open = forecast.data.stages.reduce((n, stage) => n + stage.count, 0);
  // Summed exactly: a total past 2^53 minor units comes as a decimal string.
  const totals = new Map<string, bigint>();
  for (const stage of forecast.data.stages) {
    for (const total of stage.totals) totals.set(total.currency, (totals.get(total.currency) ?? 0n) + BigInt(total.minor ?? total.minorDecimal ?? 0));
  }
  return (
    <section aria-labelledby="now-title" className="summary">
      <h2 id="now-title">{t('kpis.now')}</h2>
      <dl className="summary-grid">
        <div className="summary-item">
          <dt>{t('metric.pipeline.openDeals')}</dt>
          <dd className="summary-count">{formatNumber(open, language)}</dd>
        </div>
        <div className="summary-item">
          <dt>{t('metric.pipeline.openTotal')}</dt>
          <dd className="summary-amount">{[...totals].map(([currency, minor]) => formatMoney({ minor: null, minorDecimal: String(minor), currency }, language)).join(' + ') || '—'}</dd>
        </div>
        <div className="summary-item">
          <dt>{t('metric.pipeline.weightedForecast')}</dt>
          <dd className="summary-amount">{forecast.data.weighted.map((w) => formatMoney(w, language)).join(' + ') || '—'}</dd>
        </div>
      </dl>
    </section>
  );
};
