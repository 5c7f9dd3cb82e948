import { arch, cpus, platform } from 'node:os';
import {
  REPORT_SCHEMA_ID,
  REPORT_VERSION,
  type CaseResult,
  type CrossrtError,
  type ModelRecord,
  type Report,
} from '@crossrt/core';
import { opsetMap, type LoadedModel } from '@crossrt/model';
import { describeHostMemoryLimit } from '@crossrt/runtime';

export const CROSSRT_VERSION = '0.1.0';

export function caseVerdict(c: Omit<CaseResult, 'verdict'>): CaseResult['verdict'] {
  if (c.error) return 'error';
  const allRan = c.outcomes.every((o) => o.status === 'ok');
  const allPass = c.comparisons.every((cmp) => cmp.verdict === 'pass');
  return allRan && allPass ? 'pass' : 'fail';
}

export function buildReport(command: string, settings: Report['settings'], cases: CaseResult[]): Report {
  const count = <T extends string>(xs: T[]) =>
    xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});
  const report: Report = {
    schema: REPORT_SCHEMA_ID,
    version: REPORT_VERSION,
    tool: { name: 'crossrt', version: CROSSRT_VERSION },
    command,
    createdAt: new Date().toISOString(),
    environment: { node: process.version, platform: platform(), arch: arch(), cpus: cpus().length },
    // Stated unless the caller did (a merge keeps the shards' own): the limit hosts started with in this process.
    settings: { ...settings, hostMemoryLimit: settings.hostMemoryLimit ?? describeHostMemoryLimit() },
    cases,
    totals: {
      cases: cases.length,
      passed: cases.filter((c) => c.verdict === 'pass').length,
      failed: cases.filter((c) => c.verdict === 'fail').length,
      errored: cases.filter((c) => c.verdict === 'error').length,
      skipped: cases.filter((c) => c.verdict === 'skipped').length,
      convertErrors: cases.filter((c) => c.verdict === 'convert-error').length,
      knownFailures: cases.filter((c) => c.verdict === 'known-failure').length,
      verdicts: count(cases.flatMap((c) => c.comparisons.map((x) => x.verdict))),
      outcomes: count(cases.flatMap((c) => c.outcomes.map((o) => o.status))),
    },
  };
  // Built from typed parts, so it is not re-validated here (a zod pass over the node suite's report
  // costs ~90 ms); the JSON writer validates (validateReport) before anything reaches a file.
  return report;
}

export function modelRecord(path: string, model: LoadedModel): ModelRecord {
  return {
    path,
    sha256: model.sha256,
    bytes: model.size,
    irVersion: Number(model.proto.irVersion),
    opsets: opsetMap(model.proto),
    producer: `${model.proto.producerName} ${model.proto.producerVersion}`.trim(),
    nodes: model.proto.graph?.node.length ?? 0,
  };
}

/** A case that could not be prepared (bad model file, unresolvable dims): kept in the report, not thrown. */
export function caseError(id: string, e: CrossrtError, model?: ModelRecord): CaseResult {
  return {
    id,
    ...(model ? { model } : {}),
    error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) },
    inputs: [],
    dims: [],
    outcomes: [],
    comparisons: [],
    verdict: 'error',
  };
}
