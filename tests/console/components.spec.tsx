// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeCatalog } from '../../domain/analytics/catalog';
import { createConsoleClient } from '../../console/src/api';
import { ChainBadge } from '../../console/src/components/ChainBadge';
import { DataTable, type Column } from '../../console/src/components/DataTable';
import { ProblemNotice } from '../../console/src/components/ProblemNotice';
import { I18nProvider, useI18n } from '../../console/src/i18n/I18n';
import { KpiFigures, KpisPage, MetricDefinition } from '../../console/src/pages/Kpis';

const PAYLOAD = '<img src=x onerror="document.title=\'owned\'">保证100%安全';

afterEach(() => {
  cleanup();
  localStorage.clear();
  vi.unstubAllGlobals();
});

describe('ProblemNotice', () => {
  it('names the rule that refused the request and shows every text the API sent as text, markup and all', () => {
    render(
      <I18nProvider initial="en">
        <ProblemNotice problem={{ type: '/problems/rule-refused', title: 'Refused', status: 422, detail: PAYLOAD, rule: { id: 'FND-10', name: 'A finding is closed only once remediated or waived' } }} />
      </I18nProvider>,
    );
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('Rule FND-10: A finding is closed only once remediated or waived')).toBeTruthy();
    expect(within(alert).getByText(PAYLOAD)).toBeTruthy();
    expect(alert.querySelector('img')).toBeNull();
  });
});

describe('ChainBadge', () => {
  it('says where and why a chain breaks, in Chinese by default and in English', () => {
    const broken = { state: 'broken', breaksAt: { revision: 1, reason: 'hash_mismatch' } } as const;
    const { unmount } = render(
      <I18nProvider initial="zh">
        <ChainBadge chain={broken} />
      </I18nProvider>,
    );
    expect(screen.getByText('断裂：修订 1（事件内容被改动）')).toBeTruthy();
    unmount();
    render(
      <I18nProvider initial="en">
        <ChainBadge chain={broken} />
        <ChainBadge chain={{ state: 'intact' }} />
      </I18nProvider>,
    );
    expect(screen.getByText('Broken at revision 1 (the event was altered)')).toBeTruthy();
    expect(screen.getByText('Intact').closest('[data-chain]')?.getAttribute('data-chain')).toBe('intact');
  });
});

type Deal = { id: string; title: string; minor: number };
const DEALS: Deal[] = [
  { id: 'a', title: 'Firewall renewal', minor: 500 },
  { id: 'b', title: PAYLOAD, minor: 9_000 },
  { id: 'c', title: 'SOC service', minor: 70 },
];
const COLUMNS: Column<Deal>[] = [
  { id: 'title', header: 'Title', value: (d) => d.title },
  { id: 'minor', header: 'Amount', value: (d) => d.minor },
];
const titlesInOrder = () => screen.getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell')[0]!.textContent);

describe('DataTable', () => {
  it('sorts by a header, ascending then descending, saying so to assistive technology', () => {
    render(
      <I18nProvider initial="en">
        <DataTable caption="Deals" rows={DEALS} columns={COLUMNS} rowKey={(d) => d.id} />
      </I18nProvider>,
    );
    const amount = screen.getByRole('button', { name: 'Amount' });
    fireEvent.click(amount);
    expect(titlesInOrder()).toEqual(['SOC service', 'Firewall renewal', PAYLOAD]);
    expect(amount.closest('th')?.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(amount);
    expect(titlesInOrder()).toEqual([PAYLOAD, 'Firewall renewal', 'SOC service']);
    expect(amount.closest('th')?.getAttribute('aria-sort')).toBe('descending');
    expect(document.querySelector('img')).toBeNull();
  });

  it('selects a row through the button in its first cell, and marks the selected row', () => {
    const chosen: string[] = [];
    const { rerender } = render(
      <I18nProvider initial="en">
        <DataTable caption="Deals" rows={DEALS} columns={COLUMNS} rowKey={(d) => d.id} onSelect={(d) => chosen.push(d.id)} selectedKey={null} />
      </I18nProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'SOC service' }));
    expect(chosen).toEqual(['c']);
    rerender(
      <I18nProvider initial="en">
        <DataTable caption="Deals" rows={DEALS} columns={COLUMNS} rowKey={(d) => d.id} onSelect={(d) => chosen.push(d.id)} selectedKey="c" />
      </I18nProvider>,
    );
    expect(screen.getByRole('button', { name: 'SOC service' }).closest('tr')?.getAttribute('aria-selected')).toBe('true');
  });
});

const LanguageProbe = () => {
  const { t, language, setLanguage } = useI18n();
  return (
    <button type="button" onClick={() => setLanguage(language === 'zh' ? 'en' : 'zh')}>
      {t('nav.pipeline')}
    </button>
  );
};

describe('the language', () => {
  it('is Chinese by default, switches to English in one click, marks the page language, and is remembered', () => {
    render(
      <I18nProvider>
        <LanguageProbe />
      </I18nProvider>,
    );
    expect(document.documentElement.lang).toBe('zh-CN');
    fireEvent.click(screen.getByRole('button', { name: '销售管道' }));
    expect(screen.getByRole('button', { name: 'Pipeline' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem('ledger.console.language')).toBe('en');
  });
});

const WIN_RATE = describeCatalog().find((metric) => metric.id === 'win_rate')!;

describe('the KPI page', () => {
  it('shows a KPI answer as a table: each period and group, percentages as percentages, the empty groups named', () => {
    render(
      <I18nProvider initial="en">
        <KpiFigures
          answer={{ periods: ['2026-03', '2026-04'], unit: 'percent', grouped: true, series: [{ group: 'east', values: [50, 62.5] }, { group: null, values: [null, 100] }] }}
          name="Win rate"
          granularity="month"
          groupBy="region"
          view="table"
        />
      </I18nProvider>,
    );
    const rows = screen.getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['2026-03', 'east', '50%'],
      ['2026-04', 'east', '62.5%'],
      ['2026-03', '(none)', '—'],
      ['2026-04', '(none)', '100%'],
    ]);
  });

  it("says so when nothing was counted in the range", () => {
    render(
      <I18nProvider>
        <KpiFigures answer={{ periods: ['2026-04'], unit: 'percent', grouped: false, series: [] }} name="赢单率" granularity="month" groupBy="none" view="table" />
      </I18nProvider>,
    );
    expect(screen.getByText('此范围内没有可计入的数据。')).toBeTruthy();
  });

  it("shows a catalogue metric's formula, the events it counts and the instant it falls in a period by", () => {
    render(
      <I18nProvider initial="en">
        <MetricDefinition definition={WIN_RATE} />
      </I18nProvider>,
    );
    const definition = screen.getByRole('complementary', { name: 'Definition' });
    for (const text of [WIN_RATE.formula, WIN_RATE.counts, WIN_RATE.attributedTo]) expect(within(definition).getByText(text)).toBeTruthy();
  });

  it("offers the catalogue's metrics by name, and shows the API's refusal of a figure as a problem, not a chart", async () => {
    const refusal = { type: '/problems/forbidden', title: 'Forbidden', status: 403, detail: 'ownerId: not one of your own' };
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      asked.push(`${url.pathname}${url.search}`);
      const [status, body] = url.pathname === '/views/kpis/catalog' ? [200, { metrics: [WIN_RATE], groupBys: [], periods: [], models: [] }] : [403, refusal];
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': status === 200 ? 'application/json' : 'application/problem+json' } });
    });
    render(
      <I18nProvider>
        <KpisPage ledger={createConsoleClient('key')} permissions={['readKpis']} />
      </I18nProvider>,
    );
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('ownerId: not one of your own')).toBeTruthy();
    expect(screen.getByRole('combobox', { name: '指标' }).textContent).toBe(WIN_RATE.nameZh);
    expect(document.querySelector('.chart-canvas')).toBeNull();
    expect(asked.find((path) => path.startsWith('/views/kpis?'))).toMatch(/^\/views\/kpis\?metric=win_rate&period=month&from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-01$/);
  });
});
