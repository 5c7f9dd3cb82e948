/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// page.evaluate callbacks run in the browser: they need the DOM types.
/**
 * The HTML report opened in real headless Chromium (Debian /usr/bin/chromium via playwright-core):
 * the case × target matrix must show each hand-derived status in its verdict colour, the charts must
 * have drawn their bars, and the page must make no request beyond its own file.
 * Fixtures: test/sample-report.ts (hand-built). Screenshots go to out/test-artifacts/ for a human look.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/html-reporter.js';
import { openOfflineReport } from './offline-page.js';
import { EXPECTED_MATRIX, sampleReport, TARGETS } from './sample-report.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const artifacts = join(repo, 'out/test-artifacts');

/** Verdict colours as the report promises them (light backgrounds of the GitHub Primer palette). */
const BACKGROUND: Record<string, string> = {
  pass: 'rgb(218, 251, 225)',
  mismatch: 'rgb(255, 235, 233)',
  shape: 'rgb(255, 235, 233)',
  fallback: 'rgb(255, 248, 197)',
  'load-error': 'rgb(251, 239, 255)',
  'case-error': 'rgb(251, 239, 255)',
  timeout: 'rgb(251, 239, 255)',
  reference: 'rgb(234, 238, 242)',
  skipped: 'rgb(234, 238, 242)',
};

let browser: Browser;
let page: Page;
let foreignRequests: string[] = [];
let pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, 'html-report-sample.html');
  writeFileSync(file, renderHtml(sampleReport()));
  ({ browser, page, foreignRequests, pageErrors } = await openOfflineReport(file));
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('HTML report in headless Chromium', () => {
  it('loads with no request beyond its own file and no script error', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('shows every case × target cell with its status in its verdict colour', async () => {
    const cells = await page.$$eval('#matrix tbody tr', (rows) =>
      rows.map((tr) => ({
        id: tr.getAttribute('data-case'),
        cells: [...tr.querySelectorAll('td.cell')].map((td) => ({
          target: td.getAttribute('data-target'),
          text: (td as HTMLElement).innerText.split('\n')[0]!.trim(),
          bg: getComputedStyle(td).backgroundColor,
        })),
      })),
    );
    expect(cells.map((r) => r.id)).toEqual(Object.keys(EXPECTED_MATRIX));
    for (const row of cells) {
      for (const cell of row.cells) {
        const expected = EXPECTED_MATRIX[row.id!]![cell.target!]!;
        expect({ at: `${row.id} ${cell.target}`, text: cell.text, bg: cell.bg }).toEqual({
          at: `${row.id} ${cell.target}`,
          text: expected,
          bg: BACKGROUND[expected],
        });
      }
    }
    // The baseline regression of a.onnx on WebGPU is flagged in its cell.
    const gpuA = await page.$eval(
      `#matrix tr[data-case="models/a.onnx"] td[data-target="${TARGETS.GPU}"] .delta`,
      (el) => el.textContent,
    );
    expect(gpuA).toBe('baseline: regression');
  });

  it('draws the error-distribution chart with one bar per non-empty bucket', async () => {
    const chart = await page.evaluate(() => {
      const canvas = document.getElementById('chart-overview') as HTMLCanvasElement;
      const c = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
      return {
        width: canvas.clientWidth,
        height: canvas.clientHeight,
        series: c.data.datasets.map((d: { label: string; data: number[] }) => ({ label: d.label, data: d.data })),
        // Drawn bars: those whose rectangle has height on screen.
        drawnBars: c.data.datasets.map(
          (_: unknown, i: number) =>
            c.getDatasetMeta(i).data.filter((b: { base: number; y: number }) => Math.abs(b.base - b.y) > 1).length,
        ),
      };
    });
    expect(chart.width).toBeGreaterThan(300);
    expect(chart.height).toBeGreaterThan(100);
    // By hand from the sample: wasm max abs errors 2e-7, 0, 1e-7, 3e-8; WebGPU 0.25, 1e-6, 1e-7.
    expect(chart.series).toEqual([
      { label: 'ort-web:wasm', data: [1, 1, 2, 0, 0, 0, 0, 0, 0] },
      { label: 'ort-web:webgpu@chromium', data: [0, 0, 1, 1, 0, 0, 0, 0, 1] },
    ]);
    expect(chart.drawnBars).toEqual([3, 3]);
  });

  it("draws the failing output's |a-r| histogram, and paints pixels for it", async () => {
    const hist = await page.evaluate(() => {
      const canvas = document.querySelector('#case-1 canvas[data-histogram]') as HTMLCanvasElement;
      const c = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
      const ctx = canvas.getContext('2d')!;
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let amber = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] === 0x9a && px[i + 1] === 0x67 && px[i + 2] === 0x00) amber++;
      return { labels: c.data.labels, data: c.data.datasets[0].data, amberPixels: amber, width: canvas.clientWidth };
    });
    // Sample histogram: exact 1, [2^-20,2^-19) 3, [2^-3,2^-2) 2 => bins -20..-3 (18) after the exact one.
    expect(hist.labels[0]).toBe('0');
    expect(hist.labels[1]).toBe('2^-20');
    expect(hist.labels.at(-1)).toBe('2^-3');
    expect(hist.data).toEqual([1, 3, ...Array(16).fill(0), 2]);
    expect(hist.width).toBeGreaterThan(300);
    // The [2^-3, 2^-2) bar is above atol 1e-5, so it is drawn in the amber (--warn) colour.
    expect(hist.amberPixels).toBeGreaterThan(50);
  });

  it("shows each target's device and the nodes that fell back off WebGPU", async () => {
    const devices = await page.$$eval('#devices tbody tr', (rows) =>
      rows.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => (td as HTMLElement).innerText.trim())),
    );
    expect(devices).toEqual([
      ['ort-node:cpu', 'cpu', 'Test CPU'],
      ['ort-web:wasm', 'wasm', 'WebAssembly (Node)'],
      ['ort-web:webgpu@chromium', 'gpu', 'SwiftShader Device (Subzero)'],
    ]);
    const placement = await page.$eval(`#case-5 tr[data-target="${TARGETS.GPU}"] td:last-child`, (td) =>
      (td as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
    );
    // A placement from before node classes: both CPU nodes count as compute.
    expect(placement).toBe(
      'JsepExecutionProvider 1 · CPUExecutionProvider 2 (from ORT log) 2 node(s) on the CPU, 2 compute Gather gather_0 → CPUExecutionProvider; Cast cast_1 → CPUExecutionProvider',
    );
  });

  it('opens a collapsed case when its matrix cell is clicked', async () => {
    expect(await page.$eval('#case-3', (d) => (d as HTMLDetailsElement).open)).toBe(false);
    await page.click(`#matrix tr[data-case="models/c.onnx"] td[data-target="${TARGETS.WASM}"] a`);
    await page.waitForFunction(() => (document.getElementById('case-3') as HTMLDetailsElement).open);
    expect(await page.$eval('#case-3 summary', (s) => (s as HTMLElement).innerText)).toContain('c.onnx');
  });

  it('saves screenshots for a human to read', async () => {
    await page.goto(page.url().split('#')[0]!);
    await page.waitForSelector('body[data-charts-ready="1"]');
    const top = join(artifacts, 'html-report-sample.png');
    await page.screenshot({ path: top });
    await page.screenshot({ path: join(artifacts, 'html-report-sample-full.png'), fullPage: true });
    expect(top).toMatch(/\.png$/);
  });
});
