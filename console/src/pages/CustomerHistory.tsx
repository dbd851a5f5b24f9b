import { useEffect, useMemo, useState } from 'react';
import { answered, type Answer, type Ledger } from '../api';
import { ChainBadge, type ChainState } from '../components/ChainBadge';
import { ProblemNotice } from '../components/ProblemNotice';
import { download, toCsv } from '../csv';
import { companyToday, formatInstant, fromCompanyLocalInput, toCompanyLocalInput } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLive } from '../live';
import { actorOf } from './Pipeline';

type History = Answer<'/audit/customers/{id}/history', 'get'>;
type StreamVerdict = Answer<'/streams/{streamId}/verify', 'get'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The whole history and every tied stream's chain, recomputed by the server at each read. */
const loadHistory = async (ledger: Ledger, customerId: string) => {
  const history = await answered(ledger.GET('/audit/customers/{id}/history', { params: { path: { id: customerId }, query: {} } }));
  const verdicts = await Promise.all(history.streams.map((streamId) => answered(ledger.GET('/streams/{streamId}/verify', { params: { path: { streamId } } }))));
  return { history, verdicts };
};

export const chainStateOf = (verdict: StreamVerdict | undefined): ChainState =>
  !verdict ? { state: 'checking' } : verdict.intact || !verdict.breaksAt ? { state: 'intact' } : { state: 'broken', breaksAt: verdict.breaksAt };

export const CustomerHistoryPage = ({ ledger, customerId, onCustomer, openStream }: { ledger: Ledger; customerId: string | null; onCustomer: (id: string) => void; openStream: (streamId: string) => void }) => {
  const { t } = useI18n();
  const [draft, setDraft] = useState(customerId ?? '');
  useEffect(() => setDraft(customerId ?? ''), [customerId]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('customers.title')}</h1>
      <form
        className="filters"
        aria-label={t('customers.customerId')}
        onSubmit={(event) => {
          event.preventDefault();
          if (UUID.test(draft.trim())) onCustomer(draft.trim());
        }}
      >
        <label>
          {t('customers.customerId')}
          <input data-filter type="search" value={draft} onChange={(event) => setDraft(event.target.value)} pattern="[0-9a-fA-F-]{36}" required size={40} />
        </label>
        <button type="submit">{t('customers.show')}</button>
      </form>
      {customerId ? <CustomerReplay key={customerId} ledger={ledger} customerId={customerId} openStream={openStream} /> : <p className="muted">{t('customers.enterId')}</p>}
    </section>
  );
};

const CustomerReplay = ({ ledger, customerId, openStream }: { ledger: Ledger; customerId: string; openStream: (streamId: string) => void }) => {
  const { t, language } = useI18n();
  const live = useLive(() => loadHistory(ledger, customerId), customerId);
  /** The moment replayed, as an instant with its offset; null for now. */
  const [asOf, setAsOf] = useState<string | null>(null);
  const replay = useLive<History | null>(
    () => (asOf ? answered(ledger.GET('/audit/customers/{id}/history', { params: { path: { id: customerId }, query: { asOf } } })) : Promise.resolve(null)),
    `${customerId}|${asOf}`,
  );
  const events = live.data?.history.events ?? [];
  const verdicts = useMemo(() => new Map((live.data?.verdicts ?? []).map((v) => [v.streamId, v])), [live.data]);
  const shown = asOf ? replay.data : live.data?.history;
  const replayIndex = asOf && replay.data ? replay.data.events.length : events.length;

  const exportJson = () => live.data && download(`customer-${customerId}-${companyToday()}.json`, JSON.stringify(live.data.history, null, 2), 'application/json');
  const exportCsv = () =>
    download(
      `customer-${customerId}-${companyToday()}.csv`,
      toCsv(
        ['position', 'occurredAt', 'streamId', 'revision', 'type', 'actor', 'hash', 'prevHash'],
        events.map((e) => [e.position, e.occurredAt, e.streamId, e.revision, e.type, e.actor ? `${e.actor.id} (${e.actor.role})` : '', String(e.metadata.hash ?? ''), String(e.metadata.prevHash ?? '')]),
      ),
      'text/csv;charset=utf-8',
    );

  if (!live.data) return live.problem ? <ProblemNotice problem={live.problem} /> : <p aria-busy="true">{t('common.loading')}</p>;
  const broken = live.data.verdicts.filter((v) => !v.intact);

  return (
    <>
      <section aria-labelledby="streams-title" className="panel">
        <h2 id="streams-title">{t('customers.streams')}</h2>
        <p className={broken.length === 0 ? 'success' : 'danger'} role="status">
          {broken.length === 0
            ? t('customers.allIntact', { streams: live.data.verdicts.length, events: live.data.verdicts.reduce((n, v) => n + v.events, 0) })
            : t('customers.someBroken')}
        </p>
        <ul className="stream-list">
          {live.data.history.streams.map((streamId) => (
            <li key={streamId} data-stream={streamId}>
              <button type="button" className="link" onClick={() => openStream(streamId)}>
                {streamId}
              </button>{' '}
              <ChainBadge chain={chainStateOf(verdicts.get(streamId))} />
            </li>
          ))}
        </ul>
        <div className="buttons">
          <button type="button" onClick={exportJson}>
            {t('customers.exportJson')}
          </button>
          <button type="button" onClick={exportCsv}>
            {t('customers.exportCsv')}
          </button>
        </div>
      </section>

      <section aria-labelledby="replay-title" className="panel">
        <h2 id="replay-title">{t('customers.replay')}</h2>
        <div className="filters">
          <label className="grow">
            {t('customers.replayAt', { index: replayIndex, total: events.length })}
            <input
              type="range"
              min={1}
              max={Math.max(events.length, 1)}
              value={replayIndex}
              onChange={(event) => {
                const index = Number(event.target.value);
                setAsOf(index >= events.length ? null : events[index - 1]!.occurredAt);
              }}
            />
          </label>
          <label>
            {t('customers.asOf')}
            <input
              type="datetime-local"
              step={1}
              value={asOf ? toCompanyLocalInput(asOf) : ''}
              onChange={(event) => setAsOf(event.target.value ? fromCompanyLocalInput(event.target.value) : null)}
            />
          </label>
          <button type="button" onClick={() => setAsOf(null)} disabled={asOf === null}>
            {t('customers.latest')}
          </button>
        </div>
        {replay.problem && <ProblemNotice problem={replay.problem} />}
        {shown && (
          <>
            <p role="status" data-replayed={shown.events.length}>
              {t('customers.eventsThen', { shown: shown.events.length, total: events.length })}
            </p>
            <h3>{t('customers.stateThen', { time: formatInstant(shown.asOf, language) })}</h3>
            <div className="aggregates">
              {Object.entries(shown.aggregates).map(([streamId, state]) => (
                <details key={streamId}>
                  <summary>{streamId}</summary>
                  <pre className="json">{JSON.stringify(state, null, 2)}</pre>
                </details>
              ))}
            </div>
          </>
        )}
      </section>

      <section aria-labelledby="timeline-title" className="panel">
        <h2 id="timeline-title">{t('customers.timeline')}</h2>
        <ol className="timeline">
          {events.map((event, index) => (
            <li key={event.eventId} className={index >= replayIndex ? 'later' : undefined}>
              <div className="timeline-head">
                <time dateTime={event.occurredAt}>{formatInstant(event.occurredAt, language)}</time> <span className="event-type">{event.type}</span>{' '}
                <span className="muted small">
                  {event.streamId} @ {event.revision} · {actorOf(event.metadata)}
                </span>
              </div>
              <details>
                <summary>{t('common.data')}</summary>
                <pre className="json">{JSON.stringify(event.data, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
};
