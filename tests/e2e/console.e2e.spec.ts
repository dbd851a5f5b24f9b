import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../../api/console.js';
import { beijingWallTime, chromiumMissing, launchChromium, signIn } from '../../cli/consoleBrowser.js';
import { consoleDemo, DEMO_DAYS, MARKUP_STATEMENT, type ConsoleDemo } from '../../scenarios/consoleDemo.js';
import { Scenario } from '../../scenarios/harness.js';
import { buildServerOnce } from '../support/build.js';

/**
 * The console in headless Chromium against the real server on a fresh embedded store, seeded
 * through the HTTP API (scenarios/consoleDemo.ts), driven as a sales manager, a compliance
 * officer and an auditor would drive it.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const KEYS = { manager: 'dev-sales-manager-key-0000', officer: 'dev-compliance-officer-key-0000', auditor: 'dev-auditor-key-0000' };

const missing = chromiumMissing();
const describeInBrowser = (title: string, body: () => void) => (missing ? describe.skip(`${title} — skipped: ${missing}`, body) : describe(title, body));

let scenario: Scenario;
let demo: ConsoleDemo;
let browser: Browser;
/** Whatever the browser refused or threw while the console ran: a Content-Security-Policy violation, a script error. */
const browserErrors: string[] = [];

const newPage = async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (message) => {
    // The refusals the tests provoke (a wrong key, a close the rules refuse) are logged as failed loads; they are expected.
    if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of (401|422)/.test(message.text())) browserErrors.push(message.text());
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));
  page.on('dialog', (dialog) => {
    browserErrors.push(`a ${dialog.type()} opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
};

/** axe-core's serious and critical violations on the page as it stands. */
const accessibilityViolations = async (page: Page) => {
  await page.evaluate(AXE_SOURCE);
  const { violations } = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
};

const openFinding = async (page: Page, findingId: string) => {
  await page.locator('tbody tr').first().waitFor();
  for (const row of await page.locator('tbody tr td:first-child button').all()) {
    await row.click();
    if ((await page.locator(`article[data-finding="${findingId}"]`).count()) > 0) return page.locator(`article[data-finding="${findingId}"]`);
  }
  throw new Error(`finding ${findingId} is not in the queue`);
};

beforeAll(async () => {
  if (missing) return;
  await buildServerOnce();
  scenario = await Scenario.start({ startAt: new Date(Date.now() - DEMO_DAYS * 86_400_000).toISOString(), quiet: true });
  demo = await consoleDemo(scenario);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await scenario?.stop();
});

describeInBrowser('the console in Chromium', () => {
  it('is served at /console under its Content-Security-Policy, asks for a key, and keeps it for the tab only', async () => {
    const page = await newPage();
    const response = await page.goto(`${scenario.baseUrl}/console/`);
    expect(response?.headers()['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    await expect(page.getByRole('heading', { name: '登录控制台' }).isVisible()).resolves.toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.locator('input[name="api-key"]').fill('not-a-key-of-anyone');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('密钥无效，请检查后重试。').waitFor();

    await signIn(page, scenario.baseUrl, KEYS.manager);
    expect(page.url()).not.toContain(KEYS.manager);
    const stored = (await page.evaluate('({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage) })')) as { session: string; local: string };
    expect(stored.session).toContain(KEYS.manager);
    expect(stored.local).not.toContain(KEYS.manager);
    await page.close();
  });

  it('as a sales manager: sees only the pages the role may, filters the pipeline by stage, opens a deal with its events, switches to English', async () => {
    const page = await newPage();
    await signIn(page, scenario.baseUrl, KEYS.manager);
    const nav = page.getByRole('navigation', { name: '主导航' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['销售管道', '指标', '合规']);

    await page.locator('.board').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('form.filters label', { hasText: '阶段' }).locator('select').selectOption('proposal');
    await page.locator('.board .column').first().waitFor();
    await expect.poll(() => page.locator('.board .column').evaluateAll((columns) => columns.map((c) => c.getAttribute('data-stage')))).toEqual(['proposal']);
    await expect.poll(() => page.locator('.board .card').count()).toBe(demo.proposalDeals);

    await page.locator('.board .card').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('.events li').first().waitFor();
    expect(await dialog.locator('.event-type').allInnerTexts()).toEqual(['OpportunityOpened', 'OpportunityStageChanged', 'OpportunityStageChanged']);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    // The KPI page opens on the catalogue's first metric, win rate, read from the KPI view.
    const winRate = page.waitForResponse((response) => {
      const url = new URL(response.url());
      return url.pathname === '/views/kpis' && url.searchParams.get('metric') === 'win_rate';
    });
    await page.keyboard.press('g');
    await page.keyboard.press('k');
    const kpiAnswer = await winRate;
    expect(kpiAnswer.status()).toBe(200);
    const { metric } = (await kpiAnswer.json()) as { metric: { nameZh: string } };
    await page.getByRole('img', { name: `${metric.nameZh}，按月` }).locator('canvas').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').allInnerTexts()).toEqual(['Pipeline', 'KPIs', 'Compliance']);
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');

    await page.getByRole('link', { name: 'Compliance' }).click();
    await page.locator('tbody tr').first().waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  });

  it('as a compliance officer: reads a finding whose promise carries markup as text, acknowledges it, and sees a refused close with its rule', async () => {
    const page = await newPage();
    await signIn(page, scenario.baseUrl, KEYS.officer);
    await page.goto(`${scenario.baseUrl}/console/compliance`);
    const finding = await openFinding(page, demo.markupFindingId);
    const statement = finding.locator('blockquote.statement');
    await statement.waitFor();
    expect(await statement.innerText()).toBe(MARKUP_STATEMENT);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.title()).not.toBe('XSS');
    expect(await accessibilityViolations(page)).toEqual([]);

    await finding.getByRole('button', { name: '确认' }).click();
    await finding.getByText('已确认', { exact: true }).first().waitFor();
    await expect.poll(() => finding.locator('[data-status]').getAttribute('data-status')).toBe('acknowledged');

    await finding.getByRole('button', { name: '关闭' }).click();
    const refusal = finding.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('规则 FND-10：A finding is closed only once remediated or waived');
    await page.close();
  });

  it('as an auditor: replays the customer as of a moment, sees every chain intact, then the badge turn broken at the revision edited in the log file', async () => {
    const page = await newPage();
    await signIn(page, scenario.baseUrl, KEYS.auditor);
    await page.goto(`${scenario.baseUrl}/console/customers/${demo.customerId}`);
    const badge = page.locator(`[data-stream="${demo.tamperedStream}"] [data-chain]`);
    await badge.waitFor();
    expect(await page.locator('[data-chain]').evaluateAll((badges) => badges.map((b) => b.getAttribute('data-chain')))).not.toContain('broken');
    expect(await page.locator('[data-chain="intact"]').count()).toBe(await page.locator('.stream-list li').count());
    expect(await accessibilityViolations(page)).toEqual([]);

    const total = Number(await page.locator('.timeline li').count());
    await page.locator('input[type="datetime-local"]').fill(beijingWallTime(demo.beforeLastPromise));
    const replayed = page.locator('[data-replayed]');
    await replayed.waitFor();
    const shown = Number(await replayed.getAttribute('data-replayed'));
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(total);
    expect(await page.locator('.aggregates summary').allInnerTexts()).not.toContain(demo.lastPromiseStream);

    // Someone with the files edits an event's data; the hash chain no longer holds at that revision.
    const log = new Database(join(scenario.dataDir, 'events.sqlite'));
    log.prepare("UPDATE events SET data = json_set(data, '$.to', 'negotiation') WHERE stream_id = ? AND revision = 1").run(demo.tamperedStream);
    log.close();
    // No reload: the page reads the chain again by itself.
    await expect.poll(() => badge.getAttribute('data-chain'), { timeout: 15_000 }).toBe('broken');
    expect(await badge.getAttribute('data-revision')).toBe('1');
    expect(await badge.innerText()).toContain('断裂：修订 1（事件内容被改动）');

    await page.locator(`[data-stream="${demo.tamperedStream}"] button`).click();
    await page.locator('[data-revision="1"].broken').waitFor();
    expect(await page.locator('.badge-broken').innerText()).toContain('修订 1');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  });

  it('ran without a script error or a Content-Security-Policy refusal in the browser, and opened no dialog', () => {
    expect(browserErrors).toEqual([]);
  });
});
