import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface OfflinePage {
  readonly browser: Browser;
  readonly page: Page;
  /** Every request other than the report file itself (each one refused): must stay empty. */
  readonly foreignRequests: string[];
  readonly pageErrors: string[];
}

/** Open a self-contained HTML report in the system Chromium, refusing any request beyond the file. */
export async function openOfflineReport(file: string): Promise<OfflinePage> {
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pathToFileURL(file).href) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-charts-ready="1"]', { timeout: 20_000 });
  return { browser, page, foreignRequests, pageErrors };
}
