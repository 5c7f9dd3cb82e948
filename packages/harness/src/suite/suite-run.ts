import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import {
  CaseResultSchema,
  CrossrtError,
  isCrossrtError,
  type CaseResult,
  type PlacementPolicy,
  type Report,
  type Tolerance,
} from '@crossrt/core';
import { DEFAULT_TOLERANCE, ORACLE_TOLERANCE } from '@crossrt/compare';
import { findTarget, type TargetDescriptor } from '@crossrt/runtime';
import { classifyAgainstBaseline } from './baseline-classify.js';
import { BaselineStore, targetPassed } from './baseline-store.js';
import { runConverterStep } from '../source/converter-step.js';
import { runModelCase, type CaseRun } from '../run/differential-run.js';
import { runOracleCase } from '../oracle/oracle-run.js';
import { buildReport, caseError } from '../report/report-builder.js';
import { loadSuiteFile, planSuite, shardCases, type LoadedSuite, type PlannedCase } from './suite-plan.js';
import { TargetPool } from '../execution/target-pool.js';
import { SOURCE_TOLERANCE, TorchSourceSession } from '../source/torch-source-run.js';
import { runFp16VariantCase } from '../precision/suite-fp16-step.js';
import { runVariantCase } from '../quant/suite-variant-step.js';

export interface SuiteProgress {
  readonly done: number;
  readonly total: number;
  /** Cases taken from the JSONL of an earlier, interrupted run. */
  readonly resumed: number;
  readonly startedAt: number;
  readonly current?: string;
  readonly finished?: CaseResult;
}

export interface SuiteRunOptions {
  readonly suiteFile: string;
  /** Results stream here, one JSON line per finished case. */
  readonly jsonl: string;
  readonly resume?: boolean;
  readonly shard?: { readonly index: number; readonly count: number };
  /** Where converter steps write artifacts. Default: next to the JSONL file. */
  readonly workDir?: string;
  readonly saveBaseline?: string;
  readonly baseline?: string;
  /** How GPU targets' placement is judged; overrides the suite file's `placement` (default `compute`). */
  readonly placement?: PlacementPolicy;
  readonly onProgress?: (p: SuiteProgress) => void;
}

interface StreamHeader {
  type: 'header';
  suite: { name: string; sha256: string };
  shard: SuiteRunOptions['shard'] | null;
  planned: string[];
}

/**
 * `crossrt suite run`: plan, shard, then run case after case, appending each result to the JSONL
 * stream as it finishes, so a killed run loses at most the case in flight and `--resume` continues
 * from the stream. The final report is built from the stream in plan order, so a resumed run and an
 * uninterrupted one give the same report (timings aside).
 */
export async function runSuite(options: SuiteRunOptions): Promise<Report> {
  const loaded = loadSuiteFile(options.suiteFile);
  const { suite } = loaded;
  const targets = suite.targets.map((id) => findTarget(id));
  const workDir = resolve(options.workDir ?? join(dirname(options.jsonl), 'work'));
  const planned = await planSuite(loaded, workDir);
  const mine = shardCases(planned, options.shard);
  const header: StreamHeader = {
    type: 'header',
    suite: { name: suite.name, sha256: loaded.sha256 },
    shard: options.shard ?? null,
    planned: mine.map((c) => c.id),
  };
  const done = openStream(options.jsonl, header, options.resume ?? false);
  const saveStore = options.saveBaseline ? BaselineStore.open(options.saveBaseline, false) : undefined;
  const compareStore = options.baseline ? BaselineStore.open(options.baseline, true) : undefined;
  const placementPolicy = options.placement ?? suite.placement;
  const pool = new TargetPool({
    timeoutMs: suite.timeoutSeconds * 1000,
    ...(placementPolicy ? { placementPolicy } : {}),
  });
  const sources = new TorchSessions(loaded, workDir);
  pool.prewarm(targets);
  const startedAt = Date.now();
  const resumed = done.size;
  let count = done.size;
  try {
    for (const planCase of mine) {
      if (done.has(planCase.id)) continue;
      options.onProgress?.({ done: count, total: mine.length, resumed, startedAt, current: planCase.id });
      const run = await runPlannedCase(planCase, loaded, targets, pool, sources);
      // The plan's id, not the runner's path, keys resume, shards and goldens.
      let result: CaseResult = { ...run.result, id: planCase.id, planIndex: planCase.index };
      if (compareStore)
        result = {
          ...result,
          baseline: classifyAgainstBaseline(result, run.outputs, compareStore, caseTolerance(planCase, loaded)),
        };
      result = applyKnownFailures(result, suite.knownFailures);
      appendFileSync(options.jsonl, `${JSON.stringify({ type: 'case', result })}\n`);
      if (saveStore) {
        saveStore.put(result, run.outputs);
        saveStore.save();
      }
      done.set(planCase.id, result);
      count++;
      options.onProgress?.({ done: count, total: mine.length, resumed, startedAt, finished: result });
    }
  } finally {
    await Promise.all([pool.close(), sources.close()]);
  }
  const cases = mine.map((c) => done.get(c.id)!).filter(Boolean);
  const tolerance = suite.tolerance ? { ...suite.tolerance, source: 'config' as const } : DEFAULT_TOLERANCE;
  const report = buildReport(
    'suite',
    {
      targets: suite.targets,
      reference: suite.targets[0]!,
      seed: suite.seed,
      tolerance,
      defaultDim: suite.defaultDim,
      placement: pool.placementPolicy,
    },
    cases,
  );
  return {
    ...report,
    suite: { name: suite.name, file: loaded.file, sha256: loaded.sha256, plannedCases: planned.length },
    ...(options.shard ? { shard: options.shard } : {}),
    ...(compareStore ? { baseline: baselineSummary(compareStore, cases, mine, planned, options.shard) } : {}),
  };
}

function caseTolerance(c: PlannedCase, loaded: LoadedSuite): Tolerance {
  if (c.tolerance) return { ...c.tolerance, source: 'config' };
  if (loaded.suite.tolerance) return { ...loaded.suite.tolerance, source: 'config' };
  return c.kind === 'test-case' ? ORACLE_TOLERANCE : c.kind === 'torch' ? SOURCE_TOLERANCE : DEFAULT_TOLERANCE;
}

/**
 * One bridge session per torch builder, opened when its first case runs and kept for the others
 * (the module is built once; PyTorch's forward results are shared by its export points).
 */
class TorchSessions {
  private readonly open = new Map<string, Promise<TorchSourceSession>>();
  constructor(
    private readonly loaded: LoadedSuite,
    private readonly workDir: string,
  ) {}

  async runCase(
    c: PlannedCase,
    targets: readonly TargetDescriptor[],
    pool: TargetPool,
    tolerance: Tolerance,
  ): Promise<CaseRun> {
    const t = c.torch!;
    const key = `${t.callable}\0${JSON.stringify(t.kwargs ?? {})}\0${JSON.stringify(c.shapes ?? {})}\0${t.layerwise}`;
    let session = this.open.get(key);
    if (!session) {
      session = TorchSourceSession.open({
        callable: t.callable,
        cwd: this.loaded.dir,
        seed: this.loaded.suite.seed,
        tolerance,
        outDir: join(this.workDir, 'torch'),
        layerwise: t.layerwise,
        ...(t.kwargs ? { kwargs: t.kwargs } : {}),
        ...(c.shapes ? { shapes: c.shapes } : {}),
        ...(t.layerSnrDb !== undefined ? { minLayerSnrDb: t.layerSnrDb } : {}),
      });
      this.open.set(key, session);
    }
    try {
      return await (await session).runPoint(t.point, targets, pool);
    } catch (e) {
      // No interpreter with torch (or a bridge that cannot start): this case errors, the suite goes on.
      if (!isCrossrtError(e)) throw e;
      return { result: caseError(c.id, e), outputs: new Map() };
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.open.values()].map((s) =>
        s.then(
          (x) => x.close(),
          () => undefined,
        ),
      ),
    );
  }
}

async function runPlannedCase(
  c: PlannedCase,
  loaded: LoadedSuite,
  targets: readonly TargetDescriptor[],
  pool: TargetPool,
  sources: TorchSessions,
): Promise<CaseRun> {
  const { suite } = loaded;
  const tolerance = caseTolerance(c, loaded);
  if (c.kind === 'test-case')
    return { result: await runOracleCase(c.path, targets, pool, tolerance), outputs: new Map() };
  if (c.kind === 'torch') return sources.runCase(c, targets, pool, tolerance);
  if (c.kind === 'variant')
    return c.variant?.fp16
      ? runFp16VariantCase(c, loaded, targets, pool)
      : runVariantCase(c, loaded, targets, pool, tolerance);
  const settings = {
    targets,
    seed: suite.seed,
    tolerance,
    defaultDim: suite.defaultDim,
    dims: { ...suite.dims, ...c.dims },
    shapes: { ...suite.shapes, ...c.shapes },
    // Like converter steps, reference commands run in the suite folder and may name it as {suiteDir}.
    ...(c.referenceCommand
      ? { referenceCommand: { ...c.referenceCommand, cwd: loaded.dir, placeholders: { suiteDir: loaded.dir } } }
      : {}),
  };
  if (c.kind === 'convert') {
    const conversion = await runConverterStep(c.convert!, c.path, loaded.dir);
    if (!conversion.ok) {
      const result: CaseResult = {
        id: c.id,
        inputs: [],
        dims: [],
        outcomes: [],
        comparisons: [],
        verdict: 'convert-error',
        conversion: conversion.record,
        error: {
          code: 'CONVERT_FAILED',
          message: conversion.why!,
          hint: 'see conversion.logTail for what the converter printed',
        },
      };
      return { result, outputs: new Map() };
    }
    const run = await runModelCase(c.path, c.id, settings, pool);
    return { ...run, result: { ...run.result, conversion: conversion.record } };
  }
  return runModelCase(c.path, c.id, settings, pool);
}

/**
 * Read (on resume) or start (otherwise) the JSONL stream. A torn last line from a killed run is cut
 * off; a stream written for another suite file or shard is refused rather than mixed in.
 */
function openStream(path: string, header: StreamHeader, resume: boolean): Map<string, CaseResult> {
  mkdirSync(dirname(path), { recursive: true });
  const done = new Map<string, CaseResult>();
  if (!resume || !existsSync(path)) {
    writeFileSync(path, `${JSON.stringify(header)}\n`);
    return done;
  }
  const text = readFileSync(path, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  if (complete.length < text.length) truncateSync(path, Buffer.byteLength(complete));
  const lines = complete.split('\n').filter(Boolean);
  const first = lines[0] ? (JSON.parse(lines[0]) as StreamHeader) : undefined;
  if (!first || first.type !== 'header') {
    writeFileSync(path, `${JSON.stringify(header)}\n`);
    return done;
  }
  if (first.suite.sha256 !== header.suite.sha256 || JSON.stringify(first.shard) !== JSON.stringify(header.shard)) {
    throw new CrossrtError(
      'RESUME_MISMATCH',
      `${path} was written for another suite file or shard`,
      'resume with the same suite file and --shard, or start over without --resume',
    );
  }
  for (const line of lines.slice(1)) {
    const parsed = CaseResultSchema.safeParse((JSON.parse(line) as { result?: unknown }).result);
    if (parsed.success) done.set(parsed.data.id, parsed.data);
  }
  return done;
}

/** Known failures: a target failing a case listed for it does not fail the run; one that passes is reported. */
function applyKnownFailures(result: CaseResult, known: Readonly<Record<string, readonly string[]>>): CaseResult {
  const expected: string[] = [];
  const fixed: string[] = [];
  for (const [target, patterns] of Object.entries(known)) {
    if (!result.outcomes.some((o) => o.target === target) || !picomatch(patterns as string[])(result.id)) continue;
    (targetPassed(result, target) ? fixed : expected).push(target);
  }
  if (expected.length === 0 && fixed.length === 0) return result;
  const failing = result.outcomes.filter((o) => !targetPassed(result, o.target)).map((o) => o.target);
  const allExpected = failing.length > 0 && failing.every((t) => expected.includes(t));
  return {
    ...result,
    knownFailure: { targets: expected, nowPassing: fixed },
    ...(allExpected && result.verdict === 'fail' ? { verdict: 'known-failure' as const } : {}),
  };
}

function baselineSummary(
  store: BaselineStore,
  cases: readonly CaseResult[],
  mine: readonly PlannedCase[],
  planned: readonly PlannedCase[],
  shard: SuiteRunOptions['shard'],
) {
  const classes: Record<string, number> = {};
  let newFailures = 0;
  for (const c of cases) {
    for (const d of c.baseline ?? []) {
      classes[d.classification] = (classes[d.classification] ?? 0) + 1;
      if (d.classification === 'new' && !targetPassed(c, d.target)) newFailures++;
    }
  }
  // Goldens of cases this shard owns that produced nothing, plus (once, in shard 1) cases gone from the suite.
  const mineIds = new Set(mine.map((c) => c.id));
  const plannedIds = new Set(planned.map((c) => c.id));
  const ran = new Set(cases.flatMap((c) => c.outcomes.map((o) => `${c.id}\u0000${o.target}`)));
  const removed = store
    .all()
    .filter(
      (e) =>
        (mineIds.has(e.caseId) || (!plannedIds.has(e.caseId) && (!shard || shard.index === 1))) &&
        !ran.has(`${e.caseId}\u0000${e.target}`),
    )
    .map((e) => ({ caseId: e.caseId, target: e.target }));
  if (removed.length) classes['removed'] = removed.length;
  return { dir: store.dir, createdAt: store.created, classes: { ...classes, newFailures }, removed };
}
