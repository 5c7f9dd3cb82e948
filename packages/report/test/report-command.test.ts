/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// page.evaluate callbacks run in the browser: they need the DOM types.
/**
 * `crossrt report` end to end on a real conformance run (packages/cli/dist/main.js, spawned; build first).
 * Fixtures: libonnx-testdata node/test_add (passes), node/test_dft (mismatches the expected output on
 * both targets at the oracle tolerance), node/test_adam (ai.onnx.preview.training: no ORT kernel, a
 * load error), node/test_identity_sequence (sequence IO: skipped). Expected testcase counts come from
 * the test data on disk (output_*.pb files), not from the renderer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const NODE_CASES = '/usr/share/libonnx-testdata/data/node';
const CASES = ['test_add', 'test_dft', 'test_adam', 'test_identity_sequence'];
const TARGETS = ['ort-node:cpu', 'ort-web:wasm'];
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-report-cmd-'));
const reportPath = join(tmp, 'conformance.json');
const artifacts = join(repo, 'out/test-artifacts');

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true', GITHUB_WORKSPACE: '' }, timeout: 180_000, cwd: repo });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  expect(existsSync(bin), `build the CLI first (cd packages/cli && npx tsc -b): ${bin}`).toBe(true);
  const run = crossrt('conformance', ...CASES.map((c) => join(NODE_CASES, c)), '--targets', TARGETS.join(','), '--json', reportPath, '-q');
  expect(existsSync(reportPath), run.stderr).toBe(true);
}, 180_000);

describe('crossrt report', () => {
  it('renders JUnit with one testcase per case × target × output of the real run', () => {
    const r = crossrt('report', reportPath, '--format', 'junit');
    expect(r.code).toBe(0);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(r.stdout);
    const testcases: Record<string, unknown>[] = (doc.testsuites.testsuite as { name: string; testcase: Record<string, unknown>[] }[])
      .flatMap((s) => s.testcase.map((t) => ({ ...t, suite: s.name })));
    // Outputs per case from the test data itself; a case that never ran (load error, skipped) is one testcase per target.
    const outputs = (c: string) => readdirSync(join(NODE_CASES, c, 'test_data_set_0')).filter((f) => /^output_\d+\.pb$/.test(f)).length;
    const expected = TARGETS.length * (outputs('test_add') + outputs('test_dft') + 1 + 1);
    expect(testcases).toHaveLength(expected);
    const byCase = (c: string) => testcases.filter((t) => String(t['classname']).endsWith(`/${c}`));
    expect(byCase('test_add').every((t) => !t['failure'] && !t['error'] && !t['skipped'])).toBe(true);
    expect(byCase('test_dft').map((t) => (t['failure'] as { type: string }).type)).toEqual(['mismatch', 'mismatch']);
    expect(byCase('test_dft')[0]!['failure']).toMatchObject({ '#text': expect.stringContaining('max abs error:') });
    expect(byCase('test_adam').map((t) => (t['error'] as { type: string }).type)).toEqual(['load-error', 'load-error']);
    expect(byCase('test_identity_sequence').every((t) => t['skipped'])).toBe(true);
  });

  it('renders Markdown for a PR comment and GitHub annotations', () => {
    const md = crossrt('report', reportPath, '--format', 'markdown');
    expect(md.code).toBe(0);
    expect(md.stdout.split('\n')[0]).toBe('## ❌ crossrt conformance: 2 of 4 case(s) fail');
    expect(md.stdout).toMatch(/\| test_dft \| y \(test_data_set_0\) \| ort-node:cpu \| oracle \| \*\*mismatch\*\* \|/);
    const gh = crossrt('report', reportPath, '--format', 'github');
    const lines = gh.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(4); // test_dft ×2, test_adam ×2
    expect(lines.at(-1)).toBe('::notice title=crossrt conformance::4 case(s): 1 pass, 2 fail, 0 error, 1 skipped');
  });

  it('writes files with --out, and --check mirrors the run\'s exit code', () => {
    mkdirSync(artifacts, { recursive: true });
    const html = join(artifacts, 'html-report-conformance.html');
    const r = crossrt('report', reportPath, '-f', 'html', '-o', html, '--check');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`html report written to ${html}\n`);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('data-status="mismatch"');
    expect(text.length).toBeGreaterThan(200_000); // Chart.js is inlined
    const json = crossrt('report', reportPath, '-f', 'json');
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(readFileSync(reportPath, 'utf8')));
  });

  it('opens the real run\'s HTML in Chromium with the matrix the test data implies', async () => {
    const html = join(artifacts, 'html-report-conformance.html');
    expect(crossrt('report', reportPath, '-f', 'html', '-o', html).code).toBe(0);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-charts-ready="1"]');
      const matrix = await page.$$eval('#matrix tbody tr', (rows) => rows.map((tr) => [
        (tr.querySelector('th') as HTMLElement).innerText.trim(), ...[...tr.querySelectorAll('td.cell')].map((td) => td.getAttribute('data-status')),
      ]));
      expect(matrix).toEqual([
        ['test_add', 'pass', 'pass'], ['test_dft', 'mismatch', 'mismatch'], ['test_adam', 'load-error', 'load-error'], ['test_identity_sequence', 'skipped', 'skipped'],
      ]);
      const bars = await page.evaluate(() => {
        const c = (window as unknown as { Chart: { getChart(c: Element): any } }).Chart.getChart(document.getElementById('chart-overview')!);
        return c.data.datasets.map((_: unknown, i: number) => c.getDatasetMeta(i).data.filter((b: { base: number; y: number }) => Math.abs(b.base - b.y) > 1).length);
      });
      // Each target: test_add exact (one bucket), test_dft's max abs error in another: two bars.
      expect(bars).toEqual([2, 2]);
      await page.screenshot({ path: join(artifacts, 'html-report-conformance.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('rejects a missing or foreign file with a typed one-line error and exit 2', () => {
    const missing = crossrt('report', join(tmp, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^crossrt: FILE_NOT_FOUND: report not found: .*nope\.json\n {2}hint: /);
    const foreign = crossrt('report', join(repo, 'package.json'));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/^crossrt: REPORT_FILE_INVALID: .*package\.json is not a crossrt report/);
    expect(crossrt('report', reportPath, '--format', 'pdf').code).toBe(2);
  });
});
