import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiProblem, answered, createConsoleClient, type Ledger, type Me } from './api';
import { formatInstant } from './format';
import { useI18n } from './i18n/I18n';
import { useLastRefresh } from './live';
import { pagesFor, type PageId } from './navigation';
import { SignIn } from './pages/SignIn';
import { BASE, navigate, useLocation } from './router';
import { forgetKey, storedKey } from './session';

// Each page is its own chunk: the sign-in screen paints before any chart or table code arrives.
const PipelinePage = lazy(() => import('./pages/Pipeline').then((m) => ({ default: m.PipelinePage })));
const KpisPage = lazy(() => import('./pages/Kpis').then((m) => ({ default: m.KpisPage })));
const CompliancePage = lazy(() => import('./pages/Compliance').then((m) => ({ default: m.CompliancePage })));
const CustomerHistoryPage = lazy(() => import('./pages/CustomerHistory').then((m) => ({ default: m.CustomerHistoryPage })));
const StreamsPage = lazy(() => import('./pages/Streams').then((m) => ({ default: m.StreamsPage })));

type Session = { ledger: Ledger; me: Me };

export const App = () => {
  const { t, language, setLanguage } = useI18n();
  const { location, go } = useLocation();
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== null);

  // A key kept from earlier in this tab is checked again: it may have been revoked since.
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    const ledger = createConsoleClient(key);
    answered(ledger.GET('/me'))
      .then((me) => setSession({ ledger, me }))
      .catch((error: unknown) => {
        if (error instanceof ApiProblem && error.problem.status === 401) forgetKey();
      })
      .finally(() => setRestoring(false));
  }, []);

  const signOut = useCallback(() => {
    forgetKey();
    setSession(null);
    go('/');
  }, [go]);

  const pages = useMemo(() => (session ? pagesFor(session.me.permissions) : []), [session]);
  const [, section, detail] = location.path.split('/');
  const page = pages.find((p) => p.id === section);
  // An address that names no page this role may open lands on the first one it may.
  useEffect(() => {
    if (session && !page && pages[0]) navigate(pages[0].path, { replace: true });
  }, [session, page, pages]);

  useKeyboardShortcuts(pages.map((p) => ({ key: p.shortcut, path: p.path })), go);

  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <div className="brand">
          {t('app.title')} <span className="muted">· {t('app.console')}</span>
        </div>
        {session && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {pages.map((p) => (
                <li key={p.id}>
                  <a
                    href={`${BASE}${p.path}`}
                    aria-current={p.id === page?.id ? 'page' : undefined}
                    onClick={(event) => {
                      event.preventDefault();
                      go(p.path);
                    }}
                  >
                    {t(`nav.${p.id}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="who">
          {session && <span data-role={session.me.role}>{t('app.signedInAs', { actor: session.me.actorId, role: t(`role.${session.me.role}`) })}</span>}
          <button type="button" lang={language === 'zh' ? 'en' : 'zh-CN'} title={t('app.switchLanguageLabel')} onClick={() => setLanguage(language === 'zh' ? 'en' : 'zh')}>
            {t('app.switchLanguage')}
          </button>
          {session && (
            <button type="button" onClick={signOut}>
              {t('app.signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {restoring ? (
          <p aria-busy="true">{t('common.loading')}</p>
        ) : !session ? (
          <SignIn onSignedIn={(key, me) => setSession({ ledger: createConsoleClient(key), me })} />
        ) : pages.length === 0 ? (
          <p>{t('app.noPages')}</p>
        ) : (
          <Suspense fallback={<p aria-busy="true">{t('common.loading')}</p>}>
            {page && <Page id={page.id} detail={detail ? decodeURIComponent(detail) : null} session={session} go={go} />}
          </Suspense>
        )}
      </main>
      <footer className="bottom muted small">
        <span>{t('app.timeZone')}</span>
        <span>{t('app.shortcuts')}</span>
        <LastRefresh language={language} />
      </footer>
    </>
  );
};

const Page = ({ id, detail, session, go }: { id: PageId; detail: string | null; session: Session; go: (to: string) => void }) => {
  const { ledger, me } = session;
  const canAudit = me.permissions.includes('audit');
  const openCustomer = (customerId: string) => go(`/customers/${encodeURIComponent(customerId)}`);
  const openStream = (streamId: string) => go(`/streams/${encodeURIComponent(streamId)}`);
  switch (id) {
    case 'pipeline':
      return <PipelinePage ledger={ledger} canAudit={canAudit} openCustomer={openCustomer} />;
    case 'kpis':
      return <KpisPage ledger={ledger} permissions={me.permissions} />;
    case 'compliance':
      return <CompliancePage ledger={ledger} permissions={me.permissions} openStream={openStream} />;
    case 'customers':
      return <CustomerHistoryPage ledger={ledger} customerId={detail} onCustomer={openCustomer} openStream={openStream} />;
    case 'streams':
      return <StreamsPage ledger={ledger} streamId={detail} onStream={openStream} />;
  }
};

/** When the page last read its views, so a reader sees what is shown is live. */
const LastRefresh = ({ language }: { language: 'zh' | 'en' }) => {
  const { t } = useI18n();
  const at = useLastRefresh();
  return at ? <span>{t('app.live', { time: formatInstant(at.toISOString(), language).slice(-8) })}</span> : null;
};

/** g then a page's letter opens it; / focuses the page's first filter. Typing in a field is left alone. */
const useKeyboardShortcuts = (shortcuts: { key: string; path: string }[], go: (to: string) => void) => {
  const pending = useRef(false);
  const list = useRef(shortcuts);
  list.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.ctrlKey || event.metaKey || event.altKey || target.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.key === '/') {
        const filter = document.querySelector<HTMLElement>('[data-filter]');
        if (filter) {
          event.preventDefault();
          filter.focus();
        }
        return;
      }
      if (pending.current) {
        pending.current = false;
        const match = list.current.find((s) => s.key === event.key);
        if (match) go(match.path);
        return;
      }
      if (event.key === 'g') pending.current = true;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);
};

