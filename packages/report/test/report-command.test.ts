/**
 * `crossrt report` end to end on a real conformance run (packages/cli/dist/main.js, spawned; build first).
 * Fixtures: libonnx-testdata node/test_add (passes), node/test_dft (mismatches the expected output on
 * both targets at the oracle tolerance), node/test_adam (ai.onnx.preview.training: no ORT kernel, a
 * load error), node/test_identity_sequence (sequence IO: skipped). Expected testcase counts come from
 * the test data on disk (output_*.pb files), not from the renderer. The HTML opened in Chromium:
 * report-command.chromium.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { conformanceRun, crossrt, NODE_CASES, repo, TARGETS } from './report-command-run.js';

const tmp = mkdtempSync(join(tmpdir(), 'crossrt-report-cmd-'));
const reportPath = join(tmp, 'conformance.json');

beforeAll(() => conformanceRun(reportPath), 180_000);

describe('crossrt report', () => {
  it('renders JUnit with one testcase per case × target × output of the real run', () => {
    const r = crossrt('report', reportPath, '--format', 'junit');
    expect(r.code).toBe(0);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'testsuite' || n === 'testcase',
    }).parse(r.stdout);
    const testcases: Record<string, unknown>[] = (
      doc.testsuites.testsuite as { name: string; testcase: Record<string, unknown>[] }[]
    ).flatMap((s) => s.testcase.map((t) => ({ ...t, suite: s.name })));
    // Outputs per case from the test data itself; a case that never ran (load error, skipped) is one testcase per target.
    const outputs = (c: string) =>
      readdirSync(join(NODE_CASES, c, 'test_data_set_0')).filter((f) => /^output_\d+\.pb$/.test(f)).length;
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

  it("writes files with --out, and --check mirrors the run's exit code", () => {
    // Its own file: report-command.chromium.test.ts writes the artifact (and screenshot) for a human look.
    const html = join(tmp, 'report.html');
    const r = crossrt('report', reportPath, '-f', 'html', '-o', html, '--check');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`html report written to ${html}\n`);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('data-status="mismatch"');
    expect(text.length).toBeGreaterThan(200_000); // Chart.js is inlined
    const json = crossrt('report', reportPath, '-f', 'json');
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(readFileSync(reportPath, 'utf8')));
  });

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
