/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// page.evaluate callbacks run in the browser: they need the DOM types.
/**
 * A real `crossrt localize` + `crossrt reduce` result in the HTML report, opened in headless Chromium
 * (Debian /usr/bin/chromium via playwright-core). Fixtures: fixtures/faults/chain.onnx against its
 * variant chain-fault-scale1.onnx (tools/make-fault-fixtures.mjs: 13 nodes dense1 … pool in graph
 * order; the variant changes only the constant of `scale1`, node #3, which faults.json names as the
 * culprit). The three nodes upstream of scale1 compute the same thing on both sides, so their error is
 * exactly 0. Needs the CLI built (packages/cli/dist). Screenshots go to out/test-artifacts/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '@crossrt/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/html-reporter.js';
import { openOfflineReport } from './offline-page.js';
import { renderMarkdown } from '../src/markdown-reporter.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const artifacts = join(repo, 'out/test-artifacts');
const work = join(artifacts, 'localization-report');
const CLI = join(repo, 'packages/cli/dist/main.js');
const BASE = join(repo, 'fixtures/faults/chain.onnx');
const faults = JSON.parse(readFileSync(join(repo, 'fixtures/faults/faults.json'), 'utf8')) as {
  faults: { file: string; node: string }[];
};
const FAULT = faults.faults.find((f) => f.file === 'chain-fault-scale1.onnx')!;
const CHAIN_NODES = [
  'dense1',
  'bias1',
  'act1',
  'scale1',
  'dense2',
  'bias2',
  'act2',
  'residual',
  'halve',
  'dense3',
  'act3',
  'scale3',
  'pool',
];

/** Runs the built CLI; exit 1 is expected (the variant does diverge). */
function crossrt(args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 1) throw new Error(`crossrt ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
}

let browser: Browser;
let page: Page;
let report: ReturnType<typeof ReportSchema.parse>;
let pageErrors: string[] = [];
let foreignRequests: string[] = [];

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const variant = join(repo, 'fixtures/faults', FAULT.file);
  crossrt(['localize', BASE, '--variant', variant, '--json', join(work, 'localize.json'), '-q']);
  crossrt([
    'reduce',
    BASE,
    '--variant',
    variant,
    '--json',
    join(work, 'reduce.json'),
    '--out',
    join(work, 'reduced'),
    '-q',
  ]);
  // One case localized and reduced: the reduce run's section joins the localize run's case.
  const loc = JSON.parse(readFileSync(join(work, 'localize.json'), 'utf8'));
  const red = JSON.parse(readFileSync(join(work, 'reduce.json'), 'utf8'));
  loc.cases[0].reduction = red.cases[0].reduction;
  report = ReportSchema.parse(loc);
  const file = join(work, 'localization-report.html');
  writeFileSync(file, renderHtml(report));
  ({ browser, page, foreignRequests, pageErrors } = await openOfflineReport(file));
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('localize and reduce results in the HTML report (headless Chromium)', () => {
  it('loads with no request beyond its own file and no script error', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('names the culprit with its op type, metrics and why', async () => {
    const rows = await page.$$eval('#case-1 table.culprit tr', (trs) =>
      trs.map((tr) => [
        (tr.querySelector('th') as HTMLElement).innerText.trim(),
        (tr.querySelector('td') as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
      ]),
    );
    const kv = Object.fromEntries(rows);
    expect(kv.culprit).toBe(`#3 ${FAULT.node} (Mul)`);
    expect(kv.outputs).toBe('h3');
    // s1 changed 1.0 → 1.001 on inputs that agree exactly: relative error 1e-3, input error 0.
    expect(kv["inputs' max abs"]).toBe('0');
    expect(kv['max abs / max rel']).toMatch(/ \/ 0\.001/);
    expect(kv.why).toContain('initializer s1');
  });

  it('draws the error-growth curve: one point per node, exact ones at the floor, the culprit highlighted', async () => {
    const chart = await page.evaluate(() => {
      const canvas = document.querySelector('#case-1 canvas[data-growth]') as HTMLCanvasElement;
      const c = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
      const meta = c.getDatasetMeta(0);
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let red = 0; // --fail #cf222e
      for (let i = 0; i < px.length; i += 4) if (px[i] === 0xcf && px[i + 1] === 0x22 && px[i + 2] === 0x2e) red++;
      return {
        width: canvas.clientWidth,
        labels: c.data.labels,
        yType: c.options.scales.y.type,
        yMin: c.scales.y.min,
        points: meta.data.length,
        drawn: meta.data.filter((p: { skip: boolean }) => !p.skip).length,
        radius: meta.data.map((p: { options: { radius: number } }) => p.options.radius),
        fill: meta.data.map((p: { options: { backgroundColor: string } }) => p.options.backgroundColor),
        values: c.data.datasets[0].data,
        tolerance: c.data.datasets[1]?.label,
        red,
        // where the culprit sits on screen, to read its pixels
        culpritXY: [meta.data[3].x, meta.data[3].y],
      };
    });
    expect(chart.width).toBeGreaterThan(500);
    expect(chart.labels).toEqual(CHAIN_NODES.map((_, i) => String(i)));
    expect(chart.yType).toBe('logarithmic');
    expect(chart.points).toBe(CHAIN_NODES.length);
    expect(chart.drawn).toBe(CHAIN_NODES.length);
    // Culprit (#3) larger than every other point, filled in the failure colour.
    expect(chart.radius[3]).toBe(8);
    expect(chart.radius.filter((r: number, i: number) => i !== 3 && r !== 3)).toEqual([]);
    expect(chart.fill[3]).toBe('#cf222e');
    // dense1, bias1, act1: exact, drawn hollow at the axis floor, below every real error.
    expect(chart.fill.slice(0, 3)).toEqual(['#ffffff', '#ffffff', '#ffffff']);
    expect(new Set(chart.values.slice(0, 3)).size).toBe(1);
    expect(chart.values[0]).toBe(chart.yMin);
    expect(Math.min(...chart.values.slice(3))).toBeGreaterThan(chart.values[0]);
    // float32 default tolerance atol 1e-5 as the dashed line.
    expect(chart.tolerance).toBe('atol 0.00001');
    expect(chart.red).toBeGreaterThan(100);
  });

  it('lists every node in topological order, open (13 ≤ 30), the culprit row marked', async () => {
    expect(await page.$eval('#case-1 details.nodes', (d) => (d as HTMLDetailsElement).open)).toBe(true);
    const rows = await page.$$eval('#case-1 table.nodes tbody tr', (trs) =>
      trs.map((tr) => ({
        name: (tr.children[1] as HTMLElement).innerText.trim(),
        status: (tr.children[3] as HTMLElement).innerText.trim(),
      })),
    );
    expect(rows.map((r) => r.name)).toEqual(CHAIN_NODES);
    expect(rows.filter((r) => r.status === 'culprit').map((r) => r.name)).toEqual([FAULT.node]);
    expect(rows.slice(0, 3).map((r) => r.status)).toEqual(['agree', 'agree', 'agree']);
  });

  it('shows the reduction: 13 → 1 nodes, the node kept and the files written', async () => {
    const kv = Object.fromEntries(
      await page.$$eval('#case-1 section.reduction tr', (trs) =>
        trs.map((tr) => [
          (tr.querySelector('th') as HTMLElement).innerText.trim(),
          (tr.querySelector('td') as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
        ]),
      ),
    );
    expect(kv.nodes).toMatch(/^13 → 1 /);
    expect(kv.kept).toBe(`${FAULT.node} (Mul)`);
    const files = await page.$$eval('#case-1 .reduction-files code', (cs) => cs.map((c) => c.textContent));
    expect(files).toContain(join(work, 'reduced', 'model.onnx'));
    expect(files).toContain(join(work, 'reduced', 'variant.onnx'));
  });

  it('puts the culprit and the reduction in the Markdown summary too', () => {
    const md = renderMarkdown(report);
    expect(md).toContain(`culprit \`${FAULT.node}\` (Mul, node #3 of ${CHAIN_NODES.length})`);
    expect(md).toContain('reduced 13 → 1 node(s), kept `scale1` (Mul)');
  });

  it('saves a screenshot of the localization section for a human to read', async () => {
    const section = page.locator('#case-1 section.localization');
    await section.scrollIntoViewIfNeeded();
    const shot = join(artifacts, 'html-report-localization.png');
    await section.screenshot({ path: shot });
    await page.screenshot({ path: join(artifacts, 'html-report-localization-full.png'), fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  });
});
