/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// page.evaluate callbacks run in the browser: they need the DOM types.
/**
 * `crossrt report`'s HTML of a real conformance run (report-command-run.ts) opened in headless Chromium:
 * the matrix must be what the test data implies (node/test_add passes, test_dft mismatches on both
 * targets, test_adam is a load error, test_identity_sequence is skipped), and the overview chart must
 * draw two bars per target. A screenshot goes to out/test-artifacts/ for a human look.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifacts, conformanceRun, crossrt } from './report-command-run.js';

const tmp = mkdtempSync(join(tmpdir(), 'crossrt-report-cmd-'));
const reportPath = join(tmp, 'conformance.json');

beforeAll(() => conformanceRun(reportPath), 180_000);

describe('crossrt report in Chromium', () => {
  it("opens the real run's HTML in Chromium with the matrix the test data implies", async () => {
    mkdirSync(artifacts, { recursive: true });
    const html = join(artifacts, 'html-report-conformance.html');
    expect(crossrt('report', reportPath, '-f', 'html', '-o', html).code).toBe(0);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-charts-ready="1"]');
      const matrix = await page.$$eval('#matrix tbody tr', (rows) =>
        rows.map((tr) => [
          (tr.querySelector('th') as HTMLElement).innerText.trim(),
          ...[...tr.querySelectorAll('td.cell')].map((td) => td.getAttribute('data-status')),
        ]),
      );
      expect(matrix).toEqual([
        ['test_add', 'pass', 'pass'],
        ['test_dft', 'mismatch', 'mismatch'],
        ['test_adam', 'load-error', 'load-error'],
        ['test_identity_sequence', 'skipped', 'skipped'],
      ]);
      const bars = await page.evaluate(() => {
        const c = (window as unknown as { Chart: { getChart(c: Element): any } }).Chart.getChart(
          document.getElementById('chart-overview')!,
        );
        return c.data.datasets.map(
          (_: unknown, i: number) =>
            c.getDatasetMeta(i).data.filter((b: { base: number; y: number }) => Math.abs(b.base - b.y) > 1).length,
        );
      });
      // Each target: test_add exact (one bucket), test_dft's max abs error in another: two bars.
      expect(bars).toEqual([2, 2]);
      await page.screenshot({ path: join(artifacts, 'html-report-conformance.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
