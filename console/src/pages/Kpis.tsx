import { useMemo, useState } from 'react';
import { answered, type Ledger, type Permission } from '../api';
import { Chart } from '../components/Chart';
import { DataTable, type Column } from '../components/DataTable';
import { ProblemNotice } from '../components/ProblemNotice';
import { download, toCsv } from '../csv';
import { companyToday, formatMajorUnits, formatMoney, formatNumber, formatPercent, type Language } from '../format';
import { useI18n, type Translate } from '../i18n/I18n';
import { loadCatalog, loadKpis, metricsFor, settleQuery, type CatalogEntry, type Granularity, type GroupBy, type KpiAnswer, type KpiQuery, type KpiSeries, type Metric, type Unit } from '../kpiSource';
import { useLive } from '../live';

/** KPIs are counted over whole periods: read again every half minute, not at every tick of the board. */
const KPI_INTERVAL_MS = 30_000;
/** The catalogue changes only with a release of the API. */
const CATALOG_INTERVAL_MS = 10 * 60_000;
const RANGES = [3, 6, 12] as const;

type Row = { period: string; group: string; value: number | null; currency: string | undefined };

export const metricName = (metric: Metric, t: Translate, language: Language) =>
  metric.source === 'catalog' ? (language === 'zh' ? metric.definition.nameZh : metric.definition.name) : t(`metric.${metric.id}`);

/** A value as its unit reads: percentages as the API gives them (42.5 is 42.5%), ratios as fractions, money in its currency. */
export const formatValue = (unit: Unit, value: number, language: Language, t: Translate, currency?: string) => {
  switch (unit) {
    case 'percent':
      return formatPercent(value / 100, language);
    case 'ratio':
      return formatPercent(value, language);
    case 'minutes':
      return t('compliance.minutes', { value: formatNumber(value, language, 0) });
    case 'days':
      return formatNumber(value, language, 2);
    case 'money':
      return currency ? formatMajorUnits(value, currency, language) : formatNumber(value, language, 2);
    default:
      return formatNumber(value, language, 2);
  }
};

/** A series as the reader knows it: its group (all, none, a severity in words) and the currency or stage the API splits it by. */
export const seriesLabel = (series: KpiSeries, answer: KpiAnswer, groupBy: GroupBy, t: Translate) => {
  const group = series.group;
  const named =
    group === null
      ? t(answer.grouped ? 'kpis.ungrouped' : 'kpis.allGroups')
      : groupBy === 'severity' && ['low', 'medium', 'high', 'critical'].includes(group)
        ? t(`severity.${group as 'low'}`)
        : group;
  return series.split === undefined ? named : `${named} · ${series.split}`;
};

/** The figures as rows, one per period and series: what the table shows and the CSV holds. */
export const kpiRows = (answer: KpiAnswer, groupBy: GroupBy, t: Translate): Row[] =>
  answer.series.flatMap((series) =>
    series.values.map((value, index) => ({ period: answer.periods[index]!, group: seriesLabel(series, answer, groupBy, t), value, currency: answer.unit === 'money' ? series.split : undefined })),
  );

/** A KPI answer drawn: a chart or a table of its figures, with the empty state when nothing was counted. */
export const KpiFigures = ({ answer, name, granularity, groupBy, view }: { answer: KpiAnswer; name: string; granularity: Granularity; groupBy: GroupBy; view: 'chart' | 'table' }) => {
  const { t, language } = useI18n();
  const rows = useMemo(() => kpiRows(answer, groupBy, t), [answer, groupBy, t]);
  const columns = useMemo<Column<Row>[]>(
    () => [
      { id: 'period', header: t('kpis.period'), value: (row) => row.period },
      { id: 'group', header: t('kpis.group'), value: (row) => row.group },
      { id: 'value', header: name, value: (row) => row.value, cell: (row) => (row.value === null ? '—' : formatValue(answer.unit, row.value, language, t, row.currency)) },
    ],
    [t, name, answer.unit, language],
  );
  return (
    <>
      {answer.series.length === 0 && <p className="muted">{t('kpis.empty')}</p>}
      {view === 'chart' ? (
        <Chart
          label={t('kpis.overTime', { metric: name, granularity: t(`kpis.granularity.${granularity}`) })}
          kind={granularity === 'month' || granularity === 'quarter' ? 'bar' : 'line'}
          categories={answer.periods}
          series={answer.series.map((s) => ({ name: seriesLabel(s, answer, groupBy, t), values: s.values }))}
          valueLabel={(value) => formatValue(answer.unit, value, language, t)}
          integers={answer.unit === 'count'}
          height={320}
        />
      ) : (
        <DataTable caption={name} rows={rows} columns={columns} rowKey={(row) => `${row.period}|${row.group}`} />
      )}
    </>
  );
};

/** What a catalogue metric counts, as the API defines it, beside its chart. */
export const MetricDefinition = ({ definition }: { definition: CatalogEntry }) => {
  const { t } = useI18n();
  return (
    <aside className="metric-definition" aria-labelledby="definition-title">
      <h2 id="definition-title">{t('kpis.definition')}</h2>
      <dl>
        <dt>{t('kpis.formula')}</dt>
        <dd>{definition.formula}</dd>
        <dt>{t('kpis.counts')}</dt>
        <dd>{definition.counts}</dd>
        <dt>{t('kpis.attributedTo')}</dt>
        <dd>{definition.attributedTo}</dd>
      </dl>
    </aside>
  );
};

export const KpisPage = ({ ledger, permissions }: { ledger: Ledger; permissions: readonly Permission[] }) => {
  const { t, language } = useI18n();
  const readsKpis = permissions.includes('readKpis');
  // Without the role for it the catalogue is not asked: the assembled metrics stand alone.
  const catalog = useLive(() => (readsKpis ? loadCatalog(ledger) : Promise.resolve([])), `catalog:${readsKpis}`, CATALOG_INTERVAL_MS);
  const metrics = useMemo(() => metricsFor(permissions, catalog.data), [permissions, catalog.data]);
  const [asked, setAsked] = useState<KpiQuery>({ metric: '', granularity: 'month', months: 6, groupBy: 'none', model: null });
  const [view, setView] = useState<'chart' | 'table'>('chart');
  // A role that reads KPIs opens on the catalogue's first metric: none is chosen before the catalogue answers.
  const catalogSettled = !readsKpis || catalog.data !== undefined || catalog.problem !== null;
  const metric = catalogSettled ? (metrics.find((m) => m.id === asked.metric) ?? metrics[0]) : undefined;
  const query = metric ? settleQuery(metric, asked) : asked;
  const series = useLive(() => (metric ? loadKpis(ledger, metric, query) : Promise.resolve(null)), JSON.stringify(query), KPI_INTERVAL_MS);
  const answer = series.data ?? undefined;
  const name = metric ? metricName(metric, t, language) : '';

  const exportCsv = () => {
    if (!answer) return;
    const rows = kpiRows(answer, query.groupBy, t).map((row) => [row.period, row.group, row.value]);
    download(`kpi-${query.metric}-${companyToday()}.csv`, toCsv([t('kpis.period'), t('kpis.group'), name], rows), 'text/csv;charset=utf-8');
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('kpis.title')}</h1>
      {permissions.includes('readViews') && <PipelineNow ledger={ledger} />}
      {catalog.problem && <ProblemNotice problem={catalog.problem} />}
      {!catalogSettled && <p aria-busy="true">{t('common.loading')}</p>}
      {metric && (
        <>
          <form className="filters" aria-label={t('common.filters')} onSubmit={(event) => event.preventDefault()}>
            <label>
              {t('kpis.metric')}
              <select data-filter value={metric.id} onChange={(event) => setAsked({ ...query, metric: event.target.value })}>
                {metrics.map((m) => (
                  <option key={`${m.source}:${m.id}`} value={m.id}>
                    {metricName(m, t, language)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('kpis.granularity')}
              <select value={query.granularity} onChange={(event) => setAsked({ ...query, granularity: event.target.value as Granularity })}>
                {metric.granularities.map((granularity) => (
                  <option key={granularity} value={granularity}>
                    {t(`kpis.granularity.${granularity}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('kpis.range')}
              <select value={query.months} onChange={(event) => setAsked({ ...query, months: Number(event.target.value) })}>
                {RANGES.map((months) => (
                  <option key={months} value={months}>
                    {t(`kpis.range.${months}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('kpis.groupBy')}
              <select value={query.groupBy} onChange={(event) => setAsked({ ...query, groupBy: event.target.value as GroupBy })}>
                {metric.groups.map((group) => (
                  <option key={group} value={group}>
                    {t(`group.${group}`)}
                  </option>
                ))}
              </select>
            </label>
            {metric.source === 'catalog' && metric.models.length > 0 && (
              <label>
                {t('kpis.model')}
                <select value={query.model ?? ''} onChange={(event) => setAsked({ ...query, model: event.target.value })}>
                  {metric.models.map((model) => (
                    <option key={model} value={model}>
                      {model}
                    </option>
                  ))}
                </select>
              </label>
            )}
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
          <div className="kpi-figures">
            {answer && <KpiFigures answer={answer} name={name} granularity={query.granularity} groupBy={query.groupBy} view={view} />}
            {metric.source === 'catalog' && <MetricDefinition definition={metric.definition} />}
          </div>
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
