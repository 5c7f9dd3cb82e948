import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleReport } from '../test/sample-report.js';
import { renderReport, REPORT_FORMATS, writeReportFiles } from './report-formats.js';

describe('renderReport', () => {
  it('renders every format from the one report object', () => {
    const report = sampleReport();
    const heads = Object.fromEntries(REPORT_FORMATS.map((f) => [f, renderReport(report, f).slice(0, 24)]));
    expect(heads).toEqual({
      console: 'crossrt run: reference o',
      json: '{\n  "schema": "crossrt.r',
      junit: '<?xml version="1.0" enco',
      markdown: '## ❌ crossrt run: 5 of 6',
      github: '::error file=models/a.on',
      html: '<!DOCTYPE html>\n<html la',
    });
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
  });

  it('puts every case in full before the summary with detail', () => {
    const text = renderReport(sampleReport(), 'console', { detail: true });
    expect(text.indexOf('MODEL_TRUNCATED')).toBeLessThan(text.indexOf('case × target'));
  });
});

describe('writeReportFiles', () => {
  it('writes the requested renderings and says where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crossrt-report-files-'));
    const files = { junit: join(dir, 'nested/r.xml'), markdown: join(dir, 'r.md') };
    const lines = await writeReportFiles(sampleReport(), files);
    expect(lines).toEqual([`junit report written to ${files.junit}`, `markdown report written to ${files.markdown}`]);
    expect(await readFile(files.junit, 'utf8')).toMatch(/^<\?xml/);
    expect(await readFile(files.markdown, 'utf8')).toMatch(/^## ❌/);
  });
});
