import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';

/** Debian's chromium package, driven as it is installed: no browser build is downloaded. CHROMIUM_PATH names another. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser cannot run here, or null when it can. */
export const chromiumMissing = () => (existsSync(CHROMIUM_PATH) ? null : `no Chromium at ${CHROMIUM_PATH} (Debian: apt-get install chromium, or set CHROMIUM_PATH)`);

/** Headless Chromium; as root (CI, containers) Chromium starts only without its own sandbox. */
export const launchChromium = () => chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });

/** Signs in as a person does: the key typed into the form, the navigation waited for. */
export const signIn = async (page: Page, baseUrl: string, key: string) => {
  await page.goto(`${baseUrl}/console/`);
  await page.locator('input[name="api-key"]').fill(key);
  await page.locator('input[name="api-key"]').press('Enter');
  await page.locator('header nav').waitFor();
};

/** An instant as Beijing wall time, the way the console's datetime-local inputs take it; Beijing keeps UTC+8 all year. */
export const beijingWallTime = (instant: string) => new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 19);
