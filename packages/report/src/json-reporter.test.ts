import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCaseResult, ReportSchema, type CaseResult, type Report } from '@crossrt/core';
import { sampleReport } from '../test/sample-report.js';
import { writeJsonReport } from './json-reporter.js';

const dir = mkdtempSync(join(tmpdir(), 'crossrt-json-reporter-'));
const expected = (r: Report) => `${JSON.stringify(ReportSchema.parse(r), null, 2)}\n`;

describe('writeJsonReport', () => {
  it('writes what ReportSchema.parse gives, whether cases were checked as they were produced or not', async () => {
    const report = sampleReport();
    const checked = { ...report, cases: report.cases.map(checkCaseResult) };
    const mixed = { ...report, cases: report.cases.map((c, i) => (i % 2 ? checkCaseResult(c) : c)) };
    for (const [name, r] of [
      ['plain', report],
      ['checked', checked],
      ['mixed', mixed],
    ] as const) {
      await writeJsonReport(join(dir, `${name}.json`), r);
      expect(readFileSync(join(dir, `${name}.json`), 'utf8'), name).toBe(expected(report));
    }
  });

  it('still validates cases nobody checked: a broken one fails the write and no file appears', async () => {
    const report = sampleReport();
    const broken = { ...report, cases: [...report.cases.map(checkCaseResult), { id: 'x' } as unknown as CaseResult] };
    await expect(writeJsonReport(join(dir, 'broken.json'), broken)).rejects.toThrow(/verdict/);
    expect(existsSync(join(dir, 'broken.json'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('drops keys the schema does not know from unchecked cases, as ReportSchema.parse does', async () => {
    const report = sampleReport();
    const extra = { ...report, cases: report.cases.map((c) => ({ ...c, debugOnly: 1 })) };
    await writeJsonReport(join(dir, 'extra.json'), extra);
    expect(readFileSync(join(dir, 'extra.json'), 'utf8')).toBe(expected(report));
  });
});
