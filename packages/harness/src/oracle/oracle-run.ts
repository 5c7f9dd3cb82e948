import { resolve } from 'node:path';
import {
  checkCaseResult,
  conformanceCaseKey,
  isCrossrtError,
  type CaseResult,
  type Comparison,
  type PlacementPolicy,
  type Report,
  type Tolerance,
} from '@crossrt/core';
import { compareOutput, ORACLE_TOLERANCE } from '@crossrt/compare';
import { loadBackendTestCase, type BackendTestCase } from '@crossrt/model';
import { tensorSha256 } from '@crossrt/inputs';
import { threadsPerSession, type TargetDescriptor } from '@crossrt/runtime';
import { buildReport, caseError, caseVerdict, modelRecord } from '../report/report-builder.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool, type TargetPoolOptions } from '../execution/target-pool.js';
import { mapConcurrent } from '../execution/map-concurrent.js';
import { LoopTurns } from '../execution/loop-turns.js';
import { backendCaseFileBytes, caseHeldBytes, InFlightBytes } from '../execution/in-flight-bytes.js';
import { applyPlacementVerdicts } from '../placement/placement-verdict.js';

/** Tolerance for one case, keyed by case name (`test_x`) or suite/name (`node/test_x`). */
export type CaseTolerances = Readonly<Record<string, { readonly rtol: number; readonly atol: number }>>;

export interface OracleRunOptions {
  readonly targets: readonly TargetDescriptor[];
  /** Default: the ONNX backend suite's rtol 1e-3, atol 1e-7. */
  readonly tolerance?: Tolerance;
  /** Per-case overrides of the tolerance (the suite's own per-test rtol/atol, precision-bound ops). */
  readonly caseTolerances?: CaseTolerances;
  readonly timeoutMs?: number;
  /**
   * Cases in flight at once: read and compared in this process while the hosts run others, and the
   * pool the batches are filled from. More hosts per target only pay off when session creation
   * dominates, since every host is another process competing for the cores. The bytes those cases
   * hold here bound them too (in-flight-bytes.ts).
   */
  readonly jobs?: number;
  /** Host processes per target (default 1). */
  readonly hostsPerTarget?: number;
  /** Cases per host round trip on Node targets without a placement log (default DEFAULT_ORACLE_BATCH). */
  readonly batchSize?: number;
  /** `always`: parse ORT's placement log on CPU/WASM targets too (see TargetPoolOptions). */
  readonly placementLog?: 'auto' | 'always';
  /** How GPU targets' placement is judged (default `compute`). */
  readonly placement?: PlacementPolicy;
  /** Called as each case finishes, with how many have finished. */
  readonly onCase?: (result: CaseResult, done: number, total: number) => void;
}

/**
 * Measured on the ONNX node suite, ort-node:cpu + ort-web:wasm, 2 cores (`npm run bench`): one case
 * per round trip and 4 in flight 2.6 s; batches of 8 with 16 in flight 2.1 s. IPC messages, not the
 * models, were the cost: each costs ~0.1 ms of CPU on both sides. Later, with the hosts' start-up and
 * V8 tiering trimmed (5 runs each, medians): 8/16 2.12 s, 16/32 2.05 s, 32/64 2.07 s, 4/8 2.32 s.
 */
export const DEFAULT_ORACLE_JOBS = 32;
export const DEFAULT_ORACLE_BATCH = 16;

/**
 * ONNX backend test cases: each test_data_set's expected outputs are the oracle, and every target is
 * compared against them (not against each other).
 */
export async function runOracleCases(dirs: readonly string[], options: OracleRunOptions): Promise<Report> {
  const tolerance = options.tolerance ?? ORACLE_TOLERANCE;
  const jobs = Math.max(1, options.jobs ?? DEFAULT_ORACLE_JOBS);
  const pool = new TargetPool(oraclePoolOptions(options));
  let cases: CaseResult[];
  let done = 0;
  const inFlight = new InFlightBytes(jobs);
  // One case read per event-loop turn, so a case goes to an idle host before the next is decoded.
  const readTurns = new LoopTurns();
  pool.prewarm(options.targets);
  try {
    cases = await mapConcurrent(dirs, jobs, async (dir) => {
      const release = await inFlight.acquire(caseHeldBytes(backendCaseFileBytes(resolve(dir)), options.targets.length));
      try {
        await readTurns.next();
        // Validated now, while the hosts keep the other core busy, not all at once when the report is written.
        const result = checkCaseResult(
          await runOracleCase(dir, options.targets, pool, caseTolerance(dir, tolerance, options.caseTolerances)),
        );
        options.onCase?.(result, ++done, dirs.length);
        return result;
      } finally {
        release();
      }
    });
  } catch (e) {
    await pool.close();
    throw e;
  }
  // The hosts exit while the report is built.
  const closing = pool.close();
  const report = buildReport(
    'conformance',
    {
      targets: options.targets.map((t) => t.id),
      reference: 'oracle',
      seed: 0,
      tolerance,
      defaultDim: 1,
      placement: pool.placementPolicy,
    },
    cases,
  );
  await closing;
  return report;
}

/** The host pool of runOracleCases (also what hosts started early must match, see the CLI). */
export function oraclePoolOptions(
  options: Pick<
    OracleRunOptions,
    'targets' | 'hostsPerTarget' | 'batchSize' | 'placementLog' | 'placement' | 'timeoutMs'
  >,
): TargetPoolOptions {
  const hosts = Math.max(1, options.hostsPerTarget ?? 1);
  const threadsPerHost = threadsPerSession(hosts * options.targets.length);
  return {
    hostsPerTarget: hosts,
    batchSize: options.batchSize ?? DEFAULT_ORACLE_BATCH,
    placementLog: options.placementLog ?? 'auto',
    ...(options.placement ? { placementPolicy: options.placement } : {}),
    ...(threadsPerHost ? { threadsPerHost } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
}

export function caseTolerance(dir: string, fallback: Tolerance, overrides: CaseTolerances = {}): Tolerance {
  const { suite, name } = conformanceCaseKey(dir);
  const o = overrides[`${suite}/${name}`] ?? overrides[name];
  return o ? { rtol: o.rtol, atol: o.atol, source: 'config' } : fallback;
}

/** Distinct op types of the main graph, `domain.Op` outside the default domain. */
export function graphOpTypes(tc: BackendTestCase): string[] {
  const ops = (tc.model.proto.graph?.node ?? []).map((n) =>
    n.domain === '' || n.domain === 'ai.onnx' ? n.opType : `${n.domain}.${n.opType}`,
  );
  return [...new Set(ops)].sort();
}

export async function runOracleCase(
  dir: string,
  targets: readonly TargetDescriptor[],
  pool: TargetPool,
  tolerance: Tolerance,
): Promise<CaseResult> {
  let tc: BackendTestCase;
  try {
    // The hosts read the model themselves: this process decodes the graph and leaves the weights on disk.
    tc = await loadBackendTestCase(resolve(dir), { weights: 'reference' });
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return caseError(dir, e);
  }
  const model = { ...modelRecord(tc.model.path, tc.model), opTypes: graphOpTypes(tc) };
  if (tc.nonTensorIo) {
    return {
      id: dir,
      model,
      inputs: [],
      dims: [],
      outcomes: [],
      comparisons: [],
      verdict: 'skipped',
      skipReason: `non-tensor IO: ${tc.nonTensorIo}`,
    };
  }
  const feedSets = tc.dataSets.map((ds) => Object.fromEntries(ds.inputs));
  const outcomes = [];
  const comparisons: Comparison[] = [];
  // Every target has its own host process, so the targets of one case run side by side.
  const executions = await Promise.all(
    targets.map((target) => executeOnTarget(pool, target, tc.model.path, feedSets, model.nodes, tc.model.proto)),
  );
  for (const [i, target] of targets.entries()) {
    const exec = executions[i]!;
    outcomes.push(exec.outcome);
    if (exec.outcome.status !== 'ok') continue;
    tc.dataSets.forEach((ds, i) => {
      for (const [output, expected] of ds.expected) {
        comparisons.push(
          compareOutput({
            output,
            target: target.id,
            reference: 'oracle',
            inputSet: ds.name,
            actual: exec.outputs[i]?.get(output),
            expected,
            tolerance,
          }),
        );
      }
    });
  }
  const first = tc.dataSets[0];
  const inputs = first
    ? [...first.inputs].map(([name, t]) => ({
        name,
        dtype: t.dtype,
        dims: [...t.dims],
        generator: `file:${first.name}${tc.dataSets.length > 1 ? ` (+${tc.dataSets.length - 1} more sets)` : ''}`,
        sha256: tensorSha256(t),
      }))
    : [];
  // A GPU target whose compute ran on the CPU, or whose placement is unproven, never gets a plain pass.
  const result = {
    id: dir,
    model,
    inputs,
    dims: [],
    outcomes,
    comparisons: applyPlacementVerdicts(comparisons, outcomes),
  };
  return { ...result, verdict: caseVerdict(result) };
}
