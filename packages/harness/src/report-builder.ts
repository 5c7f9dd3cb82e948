import { arch, cpus, platform } from 'node:os';
import { REPORT_SCHEMA_ID, REPORT_VERSION, ReportSchema, type CaseResult, type Report } from '@crossrt/core';

export const CROSSRT_VERSION = '0.1.0';

export function caseVerdict(c: Omit<CaseResult, 'verdict'>): CaseResult['verdict'] {
  if (c.error) return 'error';
  const allRan = c.outcomes.every((o) => o.status === 'ok');
  const allPass = c.comparisons.every((cmp) => cmp.verdict === 'pass');
  return allRan && allPass ? 'pass' : 'fail';
}

export function buildReport(command: string, settings: Report['settings'], cases: CaseResult[]): Report {
  const count = <T extends string>(xs: T[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});
  const report: Report = {
    schema: REPORT_SCHEMA_ID,
    version: REPORT_VERSION,
    tool: { name: 'crossrt', version: CROSSRT_VERSION },
    command,
    createdAt: new Date().toISOString(),
    environment: { node: process.version, platform: platform(), arch: arch(), cpus: cpus().length },
    settings,
    cases,
    totals: {
      cases: cases.length,
      passed: cases.filter((c) => c.verdict === 'pass').length,
      failed: cases.filter((c) => c.verdict === 'fail').length,
      errored: cases.filter((c) => c.verdict === 'error').length,
      verdicts: count(cases.flatMap((c) => c.comparisons.map((x) => x.verdict))),
      outcomes: count(cases.flatMap((c) => c.outcomes.map((o) => o.status))),
    },
  };
  // The schema is the contract every reporter and shard merge relies on: never emit an invalid report.
  return ReportSchema.parse(report);
}
