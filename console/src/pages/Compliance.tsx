import { useCallback, useMemo, useState } from 'react';
import { ApiProblem, answered, type Answer, type Ledger, type Permission, type Problem } from '../api';
import { Chart } from '../components/Chart';
import { DataTable, type Column } from '../components/DataTable';
import { ProblemNotice } from '../components/ProblemNotice';
import { companyToday, formatInstant } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLive } from '../live';
import { findingActionsFor, type FindingAction } from '../navigation';

type Finding = Answer<'/views/compliance/findings', 'get'>['items'][number];
type Status = Finding['status'];
type Severity = Finding['severity'];
type Claim = NonNullable<Finding['claims']>[number];

const STATUSES: readonly Status[] = ['raised', 'acknowledged', 'remediated', 'waived', 'closed'];
const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
const QUEUE_LIMIT = 200;

type Filters = { status: Status | ''; severity: Severity | ''; ruleId: string; sellerId: string; from: string; to: string };

const monthsBefore = (day: string, months: number) => {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() - months);
  return date.toISOString().slice(0, 10);
};
const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export const CompliancePage = ({ ledger, permissions, openStream }: { ledger: Ledger; permissions: readonly Permission[]; openStream: (streamId: string) => void }) => {
  const { t, language } = useI18n();
  const [filters, setFilters] = useState<Filters>({ status: '', severity: '', ruleId: '', sellerId: '', from: '', to: '' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [after, setAfter] = useState<number | undefined>();
  const queue = useLive(
    () =>
      answered(
        ledger.GET('/views/compliance/findings', {
          params: {
            query: {
              limit: QUEUE_LIMIT,
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.severity ? { severity: filters.severity } : {}),
              ...(filters.ruleId.trim() ? { ruleId: filters.ruleId.trim() } : {}),
              ...(filters.sellerId.trim() ? { sellerId: filters.sellerId.trim() } : {}),
              ...(filters.from ? { from: filters.from } : {}),
              ...(filters.to ? { to: filters.to } : {}),
              ...(after !== undefined ? { after } : {}),
            },
          },
        }),
      ),
    JSON.stringify({ filters, after }),
  );
  const findings = queue.data?.items;
  const selected = findings?.find((finding) => finding.id === selectedId) ?? null;
  const columns = useMemo<Column<Finding>[]>(
    () => [
      { id: 'raisedAt', header: t('compliance.raisedAt'), value: (f) => f.raisedAt, cell: (f) => formatInstant(f.raisedAt, language) },
      { id: 'ruleId', header: t('compliance.rule'), value: (f) => f.ruleId },
      { id: 'severity', header: t('common.severity'), value: (f) => SEVERITIES.length - SEVERITIES.indexOf(f.severity), cell: (f) => <SeverityTag severity={f.severity} /> },
      { id: 'status', header: t('common.status'), value: (f) => STATUSES.indexOf(f.status), cell: (f) => t(`status.${f.status}`) },
      { id: 'sellerId', header: t('compliance.seller'), value: (f) => f.sellerId },
      { id: 'policyRevision', header: t('compliance.policyRevision'), value: (f) => f.policyRevision },
    ],
    [t, language],
  );
  const set = (change: Partial<Filters>) => setFilters((current) => ({ ...current, ...change }));

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('compliance.title')}</h1>
      <form className="filters" aria-label={t('common.filters')} onSubmit={(event) => event.preventDefault()}>
        <label>
          {t('common.status')}
          <select value={filters.status} onChange={(event) => set({ status: event.target.value as Status | '' })}>
            <option value="">{t('common.all')}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.severity')}
          <select value={filters.severity} onChange={(event) => set({ severity: event.target.value as Severity | '' })}>
            <option value="">{t('common.all')}</option>
            {SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {t(`severity.${severity}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('compliance.rule')}
          <input data-filter type="search" value={filters.ruleId} placeholder={t('compliance.ruleFilter')} onChange={(event) => set({ ruleId: event.target.value })} />
        </label>
        <label>
          {t('compliance.seller')}
          <input type="search" value={filters.sellerId} placeholder={t('compliance.sellerFilter')} onChange={(event) => set({ sellerId: event.target.value })} />
        </label>
        <label>
          {t('common.from')}
          <input type="date" value={filters.from} onChange={(event) => set({ from: event.target.value })} />
        </label>
        <label>
          {t('common.to')}
          <input type="date" value={filters.to} onChange={(event) => set({ to: event.target.value })} />
        </label>
      </form>
      {queue.problem && <ProblemNotice problem={queue.problem} />}
      <div className="split">
        <section aria-labelledby="queue-title" className="panel">
          <h2 id="queue-title">{t('compliance.queue')}</h2>
          {!findings && !queue.problem && <p aria-busy="true">{t('common.loading')}</p>}
          {findings && findings.length === 0 && <p>{t('compliance.noFindings')}</p>}
          {findings && findings.length > 0 && (
            <DataTable caption={t('compliance.queue')} rows={findings} columns={columns} rowKey={(f) => f.id} onSelect={(f) => setSelectedId(f.id)} selectedKey={selectedId} />
          )}
        </section>
        <section aria-labelledby="finding-title" className="panel">
          {selected ? (
            <FindingDetail
              key={selected.id}
              ledger={ledger}
              finding={selected}
              actions={findingActionsFor(permissions)}
              canAudit={permissions.includes('audit')}
              onActed={setAfter}
              openStream={openStream}
            />
          ) : (
            <>
              <h2 id="finding-title" className="visually-hidden">
                {t('compliance.detail')}
              </h2>
              <p className="muted">{t('compliance.select')}</p>
            </>
          )}
        </section>
      </div>
      <InspectionReport ledger={ledger} after={after} />
    </section>
  );
};

const SeverityTag = ({ severity }: { severity: Severity }) => {
  const { t } = useI18n();
  return <span className={`tag tag-${severity}`}>{t(`severity.${severity}`)}</span>;
};

type Outcome = { kind: 'done'; action: FindingAction } | { kind: 'refused'; problem: Problem };

const FindingDetail = ({
  ledger,
  finding,
  actions,
  canAudit,
  onActed,
  openStream,
}: {
  ledger: Ledger;
  finding: Finding;
  actions: FindingAction[];
  canAudit: boolean;
  onActed: (position: number) => void;
  openStream: (streamId: string) => void;
}) => {
  const { t, language } = useI18n();
  const [reason, setReason] = useState('');
  const [evidence, setEvidence] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const act = async (action: FindingAction) => {
    setBusy(true);
    setOutcome(null);
    const path = { id: finding.id };
    const withReason = reason.trim() ? { reason: reason.trim() } : {};
    try {
      const result = await answered(
        action === 'acknowledge'
          ? ledger.POST('/compliance/findings/{id}/acknowledge', { params: { path }, body: withReason })
          : action === 'remediate'
            ? ledger.POST('/compliance/findings/{id}/remediate', { params: { path }, body: { evidence: evidence.trim(), ...withReason } })
            : action === 'waive'
              ? ledger.POST('/compliance/findings/{id}/waive', { params: { path }, body: { reason: reason.trim() } })
              : ledger.POST('/compliance/findings/{id}/close', { params: { path }, body: withReason }),
      );
      setOutcome({ kind: 'done', action });
      onActed(result.position);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      setOutcome({ kind: 'refused', problem: error.problem });
    } finally {
      setBusy(false);
    }
  };

  const lifecycle = [
    ['status.raised', finding.raisedAt, null, null],
    ['status.acknowledged', finding.acknowledgedAt, finding.acknowledgedBy, null],
    ['status.remediated', finding.remediatedAt, finding.remediatedBy, finding.remediation],
    ['status.waived', finding.waivedAt, finding.waivedBy, finding.waiverReason],
    ['status.closed', finding.closedAt, finding.closedBy, null],
  ] as const;

  return (
    <article aria-labelledby="finding-title" data-finding={finding.id}>
      <h2 id="finding-title">
        {finding.ruleId} {finding.ruleName}
      </h2>
      <dl className="facts">
        <dt>{t('common.severity')}</dt>
        <dd>
          <SeverityTag severity={finding.severity} />
        </dd>
        <dt>{t('common.status')}</dt>
        <dd data-status={finding.status}>{t(`status.${finding.status}`)}</dd>
        <dt>{t('compliance.policyRevision')}</dt>
        <dd>{finding.policyRevision}</dd>
        <dt>{t('compliance.seller')}</dt>
        <dd>{finding.sellerId}</dd>
        <dt>{t('compliance.raisedAt')}</dt>
        <dd>{formatInstant(finding.raisedAt, language)}</dd>
      </dl>
      <h3>{t('compliance.detail')}</h3>
      <p className="explanation">{finding.detail}</p>
      <h3>{t('compliance.evidence')}</h3>
      <ul className="evidence">
        {finding.evidence.map((item) => (
          <li key={`${item.streamId}@${item.revision}`}>
            {canAudit ? (
              <button type="button" className="link" onClick={() => openStream(item.streamId)}>
                {item.streamId} @ {item.revision}
              </button>
            ) : (
              <code>
                {item.streamId} @ {item.revision}
              </code>
            )}{' '}
            <code className="hash" title={item.hash}>
              {item.hash.slice(0, 12)}…
            </code>
            {canAudit && <EvidenceStatement ledger={ledger} streamId={item.streamId} revision={item.revision} claims={finding.claims ?? []} />}
          </li>
        ))}
      </ul>
      {finding.claims && finding.claims.length > 0 && (
        <>
          <h3>{t('compliance.claims')}</h3>
          <ul>
            {finding.claims.map((claim) => (
              <li key={`${claim.start}-${claim.end}`}>
                <mark>{claim.text}</mark> <span className="muted small">({claim.category})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('compliance.lifecycle')}</h3>
      <ol className="lifecycle">
        {lifecycle
          .filter(([, at]) => at !== null)
          .map(([label, at, by, note]) => (
            <li key={label}>
              {t(label)} · {formatInstant(at!, language)}
              {by ? ` · ${by}` : ''}
              {note ? <span className="note">{note}</span> : null}
            </li>
          ))}
      </ol>
      <h3>{t('compliance.actions')}</h3>
      {actions.length === 0 ? (
        <p className="muted">{t('compliance.noActions')}</p>
      ) : (
        <form className="actions" onSubmit={(event) => event.preventDefault()}>
          <label>
            {t('compliance.reason')}
            <textarea value={reason} onChange={(event) => setReason(event.target.value)} rows={2} maxLength={2000} />
          </label>
          {actions.includes('remediate') && (
            <label>
              {t('compliance.remediationEvidence')}
              <textarea value={evidence} onChange={(event) => setEvidence(event.target.value)} rows={2} maxLength={4000} />
            </label>
          )}
          <div className="buttons">
            {actions.map((action) => (
              <button key={action} type="button" disabled={busy} onClick={() => void act(action)} data-action={action}>
                {t(`action.${action}`)}
              </button>
            ))}
          </div>
        </form>
      )}
      <div aria-live="polite">
        {outcome?.kind === 'done' && <p className="success">{t('compliance.done', { action: t(`action.${outcome.action}`) })}</p>}
        {outcome?.kind === 'refused' && <ProblemNotice problem={outcome.problem} heading={t('compliance.refused', { title: outcome.problem.title })} />}
      </div>
    </article>
  );
};

/** The event a finding rests on, read from its stream: a promise's statement as said, the claims marked in it, as text. */
const EvidenceStatement = ({ ledger, streamId, revision, claims }: { ledger: Ledger; streamId: string; revision: number; claims: readonly Claim[] }) => {
  const { t } = useI18n();
  const event = useLive(
    () => answered(ledger.GET('/streams/{streamId}', { params: { path: { streamId }, query: { fromRevision: revision, limit: 1 } } })).then((page) => page.events[0]),
    `${streamId}@${revision}`,
  );
  const statement = (event.data?.data as { statement?: unknown } | undefined)?.statement;
  if (typeof statement !== 'string') return null;
  const parts: { text: string; claimed: boolean }[] = [];
  let at = 0;
  for (const claim of [...claims].sort((a, b) => a.start - b.start)) {
    if (claim.start < at || claim.end > statement.length) continue;
    parts.push({ text: statement.slice(at, claim.start), claimed: false }, { text: statement.slice(claim.start, claim.end), claimed: true });
    at = claim.end;
  }
  parts.push({ text: statement.slice(at), claimed: false });
  return (
    <blockquote className="statement" aria-label={t('compliance.statement')}>
      {parts.map((part, index) => (part.claimed ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}
    </blockquote>
  );
};

const InspectionReport = ({ ledger, after }: { ledger: Ledger; after: number | undefined }) => {
  const { t, language } = useI18n();
  const today = companyToday();
  const [period, setPeriod] = useState({ from: monthsBefore(today, 2), to: dayAfter(today) });
  const report = useLive(
    () => answered(ledger.GET('/views/compliance/report', { params: { query: { ...period, ...(after !== undefined ? { after } : {}) } } })),
    JSON.stringify({ period, after }),
  );
  const countLabel = useCallback((value: number) => String(value), []);
  const data = report.data;
  return (
    <section aria-labelledby="report-title" className="panel">
      <h2 id="report-title">{t('compliance.report')}</h2>
      <form className="filters" aria-label={t('compliance.report')} onSubmit={(event) => event.preventDefault()}>
        <label>
          {t('common.from')}
          <input type="date" value={period.from} max={period.to} onChange={(event) => event.target.value && setPeriod({ ...period, from: event.target.value })} />
        </label>
        <label>
          {t('common.to')}
          <input type="date" value={period.to} min={period.from} onChange={(event) => event.target.value && setPeriod({ ...period, to: event.target.value })} />
        </label>
      </form>
      {report.problem && <ProblemNotice problem={report.problem} />}
      {data && (
        <>
          <p>
            {t('compliance.reportTotal', {
              count: data.total,
              remediated: data.remediated,
              minutes: data.medianMinutesToRemediate === null ? '—' : t('compliance.minutes', { value: Math.round(data.medianMinutesToRemediate) }),
            })}
          </p>
          <div className="charts">
            <Chart label={t('compliance.byRule')} kind="bar" categories={data.byRule.map((r) => r.ruleId)} series={[{ name: t('common.count'), values: data.byRule.map((r) => r.count) }]} valueLabel={countLabel} integers height={220} />
            <Chart
              label={t('compliance.bySeverity')}
              kind="bar"
              categories={SEVERITIES.map((s) => t(`severity.${s}`))}
              series={[{ name: t('common.count'), values: SEVERITIES.map((s) => data.bySeverity[s]) }]}
              valueLabel={countLabel}
              integers
              height={220}
            />
            <Chart
              label={t('compliance.byStatus')}
              kind="bar"
              categories={STATUSES.map((s) => t(`status.${s}`))}
              series={[{ name: t('common.count'), values: STATUSES.map((s) => data.byStatus[s]) }]}
              valueLabel={countLabel}
              integers
              height={220}
            />
            <Chart label={t('compliance.byRep')} kind="bar" categories={data.byRep.map((r) => r.sellerId)} series={[{ name: t('common.count'), values: data.byRep.map((r) => r.count) }]} valueLabel={countLabel} integers height={220} />
          </div>
          <p className="muted small">{`${formatInstant(data.period.from, language)} – ${formatInstant(data.period.to, language)}`}</p>
        </>
      )}
    </section>
  );
};
