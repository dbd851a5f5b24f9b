import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { answered, type Answer, type Ledger } from '../api';
import { Chart } from '../components/Chart';
import { ProblemNotice } from '../components/ProblemNotice';
import { formatInstant, formatMoney, majorUnits, type Amount } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLive } from '../live';

type Opportunity = Answer<'/views/pipeline', 'get'>['items'][number];
type Forecast = Answer<'/views/pipeline/forecast', 'get'>;
type Summary = Answer<'/views/pipeline/summary', 'get'>;
type Stage = Forecast['stages'][number]['stage'];
type Sort = '-amount' | 'amount' | 'age' | '-age';

export const STAGES: readonly Stage[] = ['qualification', 'discovery', 'proposal', 'negotiation'];
const SORTS: readonly Sort[] = ['-amount', 'amount', 'age', '-age'];
/** A board shows at most this many deals; filters narrow it. */
const BOARD_LIMIT = 400;
const PAGE = 200;

type Filters = { ownerId: string; stage: Stage | ''; currency: string; sort: Sort };

const loadBoard = async (ledger: Ledger, filters: Filters) => {
  const query = {
    sort: filters.sort,
    limit: PAGE,
    ...(filters.ownerId ? { ownerId: filters.ownerId } : {}),
    ...(filters.stage ? { stage: filters.stage } : {}),
    ...(filters.currency ? { currency: filters.currency } : {}),
  };
  const items: Opportunity[] = [];
  let cursor: string | undefined;
  do {
    const page = await answered(ledger.GET('/views/pipeline', { params: { query: { ...query, ...(cursor ? { cursor } : {}) } } }));
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < BOARD_LIMIT);
  const forecastQuery = { ...(filters.ownerId ? { ownerId: filters.ownerId } : {}), ...(filters.currency ? { currency: filters.currency } : {}) };
  const [forecast, summary] = await Promise.all([
    answered(ledger.GET('/views/pipeline/forecast', { params: { query: forecastQuery } })),
    answered(ledger.GET('/views/pipeline/summary', { params: { query: {} } })),
  ]);
  return { items: items.slice(0, BOARD_LIMIT), truncated: Boolean(cursor), forecast, summary };
};

const amountsText = (totals: readonly Amount[], language: 'zh' | 'en') => (totals.length === 0 ? '—' : totals.map((total) => formatMoney(total, language)).join(' + '));

export const PipelinePage = ({ ledger, canAudit, openCustomer }: { ledger: Ledger; canAudit: boolean; openCustomer: (id: string) => void }) => {
  const { t, language } = useI18n();
  const [filters, setFilters] = useState<Filters>({ ownerId: '', stage: '', currency: '', sort: '-amount' });
  const [ownerDraft, setOwnerDraft] = useState('');
  const [opened, setOpened] = useState<Opportunity | null>(null);
  const live = useLive(() => loadBoard(ledger, filters), JSON.stringify(filters));

  // The owner filter applies as the reader pauses typing, not at every key.
  useEffect(() => {
    const timer = window.setTimeout(() => setFilters((f) => (f.ownerId === ownerDraft.trim() ? f : { ...f, ownerId: ownerDraft.trim() })), 300);
    return () => window.clearTimeout(timer);
  }, [ownerDraft]);

  const board = live.data;
  const byStage = useMemo(() => new Map(STAGES.map((stage) => [stage, (board?.items ?? []).filter((item) => item.stage === stage)])), [board]);
  const forecastCurrency = filters.currency || board?.forecast.weighted[0]?.currency || 'CNY';
  const chartSeries = useMemo(() => {
    if (!board) return [];
    const inCurrency = (totals: readonly Amount[]) => {
      const total = totals.find((x) => x.currency === forecastCurrency);
      return total ? Number(majorUnits(total)) : 0;
    };
    return [
      { name: t('common.total'), values: board.forecast.stages.map((s) => inCurrency(s.totals)) },
      { name: t('pipeline.weighted'), values: board.forecast.stages.map((s) => inCurrency(s.weighted)) },
    ];
  }, [board, forecastCurrency, t]);
  const moneyLabel = useCallback(
    (value: number) => new Intl.NumberFormat(language === 'zh' ? 'zh-CN' : 'en-GB', { style: 'currency', currency: forecastCurrency, notation: 'compact' }).format(value),
    [language, forecastCurrency],
  );

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('pipeline.title')}</h1>
      <form className="filters" aria-label={t('common.filters')} onSubmit={(event) => event.preventDefault()}>
        <label>
          {t('common.owner')}
          <input data-filter type="search" value={ownerDraft} placeholder={t('pipeline.ownerHint')} onChange={(event) => setOwnerDraft(event.target.value)} />
        </label>
        <label>
          {t('common.stage')}
          <select value={filters.stage} onChange={(event) => setFilters({ ...filters, stage: event.target.value as Stage | '' })}>
            <option value="">{t('common.all')}</option>
            {STAGES.map((stage) => (
              <option key={stage} value={stage}>
                {t(`stage.${stage}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.currency')}
          <select value={filters.currency} onChange={(event) => setFilters({ ...filters, currency: event.target.value })}>
            <option value="">{t('common.all')}</option>
            {['CNY', 'USD', 'EUR', 'HKD'].map((currency) => (
              <option key={currency} value={currency}>
                {currency}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('pipeline.sort')}
          <select value={filters.sort} onChange={(event) => setFilters({ ...filters, sort: event.target.value as Sort })}>
            {SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {t(`pipeline.sort.${sort}`)}
              </option>
            ))}
          </select>
        </label>
      </form>

      {live.problem && (board ? <p className="muted">{t('common.stale', { detail: live.problem.detail })}</p> : <ProblemNotice problem={live.problem} />)}
      {!board && !live.problem && <p aria-busy="true">{t('common.loading')}</p>}
      {board && (
        <>
          <SummaryStrip summary={board.summary} language={language} />
          <h2 className="visually-hidden">{t('pipeline.board')}</h2>
          {board.truncated && <p className="muted">{t('pipeline.truncated', { count: board.items.length })}</p>}
          <div className="board">
            {STAGES.filter((stage) => !filters.stage || stage === filters.stage).map((stage) => {
              const deals = byStage.get(stage) ?? [];
              return (
                <section key={stage} className="column" aria-labelledby={`stage-${stage}`} data-stage={stage}>
                  <h3 id={`stage-${stage}`}>
                    {t(`stage.${stage}`)} <span className="muted">{t('pipeline.deals', { count: deals.length })}</span>
                  </h3>
                  {deals.length === 0 && <p className="muted">{t('pipeline.noDeals')}</p>}
                  <ul className="cards">
                    {deals.map((deal) => (
                      <li key={deal.id}>
                        <button type="button" className="card" onClick={() => setOpened(deal)} data-opportunity={deal.id}>
                          <span className="card-title">{deal.title}</span>
                          <span className="card-amount">{formatMoney(deal.amount, language)}</span>
                          <span className="muted small">
                            {deal.ownerId} · {t('pipeline.openedAt', { time: formatInstant(deal.openedAt, language).slice(0, 10) })}
                          </span>
                        </button>
                      </li>
                    ))}
                  </ul>
                </section>
              );
            })}
          </div>
          <section aria-labelledby="forecast-title" className="panel">
            <h2 id="forecast-title">{t('pipeline.forecast')}</h2>
            <p className="muted small">
              {t('pipeline.forecastNote', { revision: board.forecast.policyRevision })} · {forecastCurrency} · {t('pipeline.weightedTotal')}:{' '}
              {amountsText(board.forecast.weighted, language)}
            </p>
            <Chart
              label={`${t('pipeline.forecast')} (${forecastCurrency})`}
              kind="bar"
              categories={board.forecast.stages.map((s) => `${t(`stage.${s.stage}`)} ${s.probability}%`)}
              series={chartSeries}
              valueLabel={moneyLabel}
            />
          </section>
        </>
      )}
      {opened && <OpportunityDialog ledger={ledger} deal={opened} canAudit={canAudit} onClose={() => setOpened(null)} openCustomer={openCustomer} />}
    </section>
  );
};

const SummaryStrip = ({ summary, language }: { summary: Summary; language: 'zh' | 'en' }) => {
  const { t } = useI18n();
  return (
    <section aria-labelledby="summary-title" className="summary">
      <h2 id="summary-title" className="visually-hidden">
        {t('pipeline.summary')}
      </h2>
      <dl className="summary-grid">
        {summary.stages.map((stage) => (
          <div key={stage.stage} className="summary-item">
            <dt>{t(`stage.${stage.stage}`)}</dt>
            <dd>
              <span className="summary-count">{t('pipeline.deals', { count: stage.count })}</span>
              <span className="summary-amount">{amountsText(stage.totals, language)}</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
};

type DealView = Answer<'/views/opportunities/{id}', 'get'>;

/** The deal and what happened to it, event by event; a modal dialog, so Escape closes it and focus returns. */
const OpportunityDialog = ({ ledger, deal, canAudit, onClose, openCustomer }: { ledger: Ledger; deal: Opportunity; canAudit: boolean; onClose: () => void; openCustomer: (id: string) => void }) => {
  const { t, language } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const live = useLive<DealView>(() => answered(ledger.GET('/views/opportunities/{id}', { params: { path: { id: deal.id }, query: {} } })), deal.id);
  useEffect(() => {
    const element = dialog.current!;
    element.showModal();
    element.addEventListener('close', onClose);
    return () => element.removeEventListener('close', onClose);
  }, [onClose]);
  const shown = live.data?.opportunity ?? deal;
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="deal-title">
      <header className="dialog-header">
        <h2 id="deal-title">{shown.title}</h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          {t('common.close')}
        </button>
      </header>
      <dl className="facts">
        <dt>{t('common.amount')}</dt>
        <dd>{formatMoney(shown.amount, language)}</dd>
        <dt>{t('common.stage')}</dt>
        <dd>{STAGES.includes(shown.stage as Stage) ? t(`stage.${shown.stage as Stage}`) : shown.stage}</dd>
        <dt>{t('common.status')}</dt>
        <dd>{shown.status === 'won' || shown.status === 'lost' || shown.status === 'open' ? t(`opportunity.${shown.status}`) : shown.status}</dd>
        <dt>{t('common.owner')}</dt>
        <dd>{shown.ownerId}</dd>
        <dt>{t('common.customer')}</dt>
        <dd>
          {canAudit ? (
            <button type="button" className="link" onClick={() => openCustomer(shown.customerId)}>
              {t('pipeline.customerHistory')}
            </button>
          ) : (
            <code>{shown.customerId}</code>
          )}
        </dd>
      </dl>
      <h3>{t('pipeline.events')}</h3>
      {live.problem && <ProblemNotice problem={live.problem} />}
      {!live.data && !live.problem && <p aria-busy="true">{t('common.loading')}</p>}
      {live.data && (
        <ol className="events">
          {live.data.events.map((event) => (
            <li key={event.eventId}>
              <span className="event-type">{event.type}</span>{' '}
              <span className="muted small">
                {typeof event.metadata.occurredAt === 'string' ? formatInstant(event.metadata.occurredAt, language) : ''} ·{' '}
                {actorOf(event.metadata)}
              </span>
              <pre className="json">{JSON.stringify(event.data, null, 2)}</pre>
            </li>
          ))}
        </ol>
      )}
    </dialog>
  );
};

/** Who recorded an event, from its metadata. */
export const actorOf = (metadata: Record<string, unknown>) => {
  const actor = metadata.actor as { id?: unknown; role?: unknown } | undefined;
  return actor && typeof actor.id === 'string' ? `${actor.id} (${String(actor.role)})` : '';
};
