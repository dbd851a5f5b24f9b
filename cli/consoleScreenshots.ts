import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEVELOPMENT_KEYS } from '../infrastructure/config.js';
import { consoleDemo, DEMO_DAYS } from '../scenarios/consoleDemo.js';
import { Scenario } from '../scenarios/harness.js';
import { beijingWallTime, chromiumMissing, launchChromium, signIn } from './consoleBrowser.js';

/**
 * `npm run console:screenshots`: the console on the demo history (scenarios/consoleDemo.ts), one
 * PNG of every page in Chinese and in English, at 1280x800, into docs/console/, for a reviewer
 * who does not run a browser. Chinese text needs a CJK font on the machine (Debian: fonts-noto-cjk).
 */
const OUT = join(import.meta.dirname, '..', '..', 'docs', 'console');
const key = (role: string) => Object.entries(DEVELOPMENT_KEYS).find(([, identity]) => identity.role === role)![0];

const missing = chromiumMissing();
if (missing) {
  console.error(`Cannot take screenshots: ${missing}`);
  process.exit(2);
}

const scenario = await Scenario.start({ startAt: new Date(Date.now() - DEMO_DAYS * 86_400_000).toISOString(), quiet: true });
const demo = await consoleDemo(scenario);
const browser = await launchChromium();
mkdirSync(OUT, { recursive: true });

/** Waits for the page's reads to settle and its charts to be drawn, then saves it. */
const shoot = async (page: Page, name: string) => {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(400);
  const file = join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(file);
};

/** Milliseconds from asking for a page, with the browser's cache off, until the first screen a person can use is drawn. */
const timeToUsefulScreen = async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const devtools = await page.context().newCDPSession(page);
  await devtools.send('Network.setCacheDisabled', { cacheDisabled: true });
  let started = Date.now();
  await page.goto(`${scenario.baseUrl}/console/`);
  await page.locator('input[name="api-key"]').waitFor();
  const signInMs = Date.now() - started;
  await signIn(page, scenario.baseUrl, key('sales_manager'));
  started = Date.now();
  await page.goto(`${scenario.baseUrl}/console/pipeline`);
  await page.locator('.board .card').first().waitFor();
  await page.locator('.chart-canvas canvas').waitFor();
  const pipelineMs = Date.now() - started;
  await page.close();
  console.log(`first useful screen, cache off: sign-in form ${signInMs} ms; pipeline board with its chart, signed in, ${pipelineMs} ms`);
};

try {
  await timeToUsefulScreen();
  for (const language of ['zh', 'en'] as const) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${scenario.baseUrl}/console/`);
    if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
    await shoot(page, `${language}-0-sign-in`);
    await signIn(page, scenario.baseUrl, key('compliance_officer'));

    await page.goto(`${scenario.baseUrl}/console/pipeline`);
    await page.locator('.board').waitFor();
    await shoot(page, `${language}-1-pipeline`);
    await page.locator('.card').first().click();
    await page.locator('dialog .events li').first().waitFor();
    await shoot(page, `${language}-1b-pipeline-deal`);
    await page.keyboard.press('Escape');

    await page.goto(`${scenario.baseUrl}/console/kpis`);
    await page.locator('.chart-canvas canvas').first().waitFor();
    await shoot(page, `${language}-2-kpis`);

    await page.goto(`${scenario.baseUrl}/console/compliance`);
    await page.locator('tbody tr').first().waitFor();
    for (const row of await page.locator('tbody tr td:first-child button').all()) {
      await row.click();
      if (await page.locator(`article[data-finding="${demo.markupFindingId}"]`).count()) break;
    }
    await page.locator('blockquote.statement').waitFor();
    await shoot(page, `${language}-3-compliance`);

    await page.goto(`${scenario.baseUrl}/console/customers/${demo.customerId}`);
    await page.locator('[data-chain]').first().waitFor();
    await page.locator('input[type="datetime-local"]').fill(beijingWallTime(demo.beforeLastPromise));
    await page.locator('[data-replayed]').waitFor();
    await page.locator('input[type="datetime-local"]').blur();
    await page.evaluate('window.scrollTo(0, 0)');
    await shoot(page, `${language}-4-customer-history`);

    await page.goto(`${scenario.baseUrl}/console/streams/${demo.tamperedStream}`);
    await page.locator('[data-chain]').waitFor();
    await shoot(page, `${language}-5-streams`);
    await page.close();
  }
} finally {
  await browser.close();
  await scenario.stop();
}
