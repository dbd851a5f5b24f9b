import { useEffect, useState } from 'react';
import { answered, type Answer, type Ledger } from '../api';
import { ChainBadge } from '../components/ChainBadge';
import { ProblemNotice } from '../components/ProblemNotice';
import { formatInstant } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLive } from '../live';
import { chainStateOf } from './CustomerHistory';
import { actorOf } from './Pipeline';

type StreamPage = Answer<'/streams/{streamId}', 'get'>;
const STREAM_ID = /^[a-z][a-z_]*-[A-Za-z0-9._:-]{1,128}$/;
const PAGE = 200;

export const StreamsPage = ({ ledger, streamId, onStream }: { ledger: Ledger; streamId: string | null; onStream: (id: string) => void }) => {
  const { t } = useI18n();
  const [draft, setDraft] = useState(streamId ?? '');
  useEffect(() => setDraft(streamId ?? ''), [streamId]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('streams.title')}</h1>
      <form
        className="filters"
        aria-label={t('streams.streamId')}
        onSubmit={(event) => {
          event.preventDefault();
          if (STREAM_ID.test(draft.trim())) onStream(draft.trim());
        }}
      >
        <label>
          {t('streams.streamId')}
          <input data-filter type="search" value={draft} onChange={(event) => setDraft(event.target.value)} required size={48} />
        </label>
        <button type="submit">{t('streams.show')}</button>
      </form>
      {streamId ? <StreamView key={streamId} ledger={ledger} streamId={streamId} /> : <p className="muted">{t('streams.enterId')}</p>}
    </section>
  );
};

/** A stream's events as stored, a page at a time, with its chain recomputed by the server. */
const StreamView = ({ ledger, streamId }: { ledger: Ledger; streamId: string }) => {
  const { t, language } = useI18n();
  const [pages, setPages] = useState(1);
  const stream = useLive(async () => {
    const events: StreamPage['events'] = [];
    let next: number | null = 0;
    for (let page = 0; page < pages && next !== null; page++) {
      const answer: StreamPage = await answered(ledger.GET('/streams/{streamId}', { params: { path: { streamId }, query: { fromRevision: next, limit: PAGE } } }));
      events.push(...answer.events);
      next = answer.nextRevision;
    }
    const verdict = await answered(ledger.GET('/streams/{streamId}/verify', { params: { path: { streamId } } }));
    return { events, next, verdict };
  }, `${streamId}|${pages}`);

  if (!stream.data) return stream.problem ? <ProblemNotice problem={stream.problem} /> : <p aria-busy="true">{t('common.loading')}</p>;
  const { events, next, verdict } = stream.data;
  return (
    <>
      <section aria-labelledby="verify-title" className="panel" data-stream={streamId}>
        <h2 id="verify-title">{t('streams.verification')}</h2>
        <p>
          <ChainBadge chain={chainStateOf(verdict)} /> <span className="muted small">{t('streams.count', { count: events.length })}</span>
        </p>
      </section>
      <section aria-labelledby="events-title" className="panel">
        <h2 id="events-title">{streamId}</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('common.revision')}</th>
                <th scope="col">{t('common.position')}</th>
                <th scope="col">{t('common.time')}</th>
                <th scope="col">{t('common.type')}</th>
                <th scope="col">{t('common.actor')}</th>
                <th scope="col">{t('common.hash')}</th>
                <th scope="col">{t('streams.prevHash')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => {
                const broken = verdict.breaksAt?.revision === event.revision;
                return (
                  <tr key={event.eventId} className={broken ? 'broken' : undefined} data-revision={event.revision}>
                    <td>{event.revision}</td>
                    <td>{event.position}</td>
                    <td>{typeof event.metadata.occurredAt === 'string' ? formatInstant(event.metadata.occurredAt, language) : ''}</td>
                    <td>
                      <details>
                        <summary>{event.type}</summary>
                        <p className="small">{t('common.data')}</p>
                        <pre className="json">{JSON.stringify(event.data, null, 2)}</pre>
                        <p className="small">{t('common.metadata')}</p>
                        <pre className="json">{JSON.stringify(event.metadata, null, 2)}</pre>
                      </details>
                    </td>
                    <td>{actorOf(event.metadata)}</td>
                    <td>
                      <code className="hash" title={String(event.metadata.hash ?? '')}>
                        {String(event.metadata.hash ?? '').slice(0, 12)}…
                      </code>
                    </td>
                    <td>
                      <code className="hash" title={String(event.metadata.prevHash ?? '')}>
                        {String(event.metadata.prevHash ?? '').slice(0, 12)}…
                      </code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {next !== null && (
          <button type="button" onClick={() => setPages((n) => n + 1)}>
            {t('streams.loadMore')}
          </button>
        )}
      </section>
    </>
  );
};
