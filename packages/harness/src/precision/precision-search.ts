import { resolve } from 'node:path';
import {
  CrossrtError,
  encodeFloat16Array,
  numericView,
  type BlockedNode,
  type CaseResult,
  type Comparison,
  type HostTensor,
  type PlacementPolicy,
  type PolicyCheck,
  type PrecisionPolicy,
  type PrecisionSearch,
  type Report,
  type RunOutcome,
} from '@crossrt/core';
import { compareOutput } from '@crossrt/compare';
import { DEFAULT_DIM, scopeDimOptions } from '@crossrt/inputs';
import {
  Fp16Converter,
  modelSignature,
  readModelFile,
  type Fp16ConvertResult,
  type LoadedModel,
  type ModelProto,
} from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { CandidateFiles } from '../graph/candidate-files.js';
import { dimCandidates, markSearched, MAX_DIM_TRIES } from '../run/dim-search.js';
import { prepareInputSets, type SideRunOptions } from '../run/input-settings.js';
import { buildReport, caseVerdict, modelRecord } from '../report/report-builder.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import { searchBlockList } from './block-search.js';
import { analysePrecision, type PrecisionAnalysis } from './precision-analysis.js';
import { writePrecisionFiles } from './precision-files.js';
import { checkOutput, DEFAULT_PRECISION_POLICY, policyTolerance, worstMargin } from './precision-policy.js';
import { declaredFeeds } from '../run/declared-feeds.js';
import { outcomeLine } from '../run/outcome-line.js';

export interface PrecisionSearchOptions extends SideRunOptions {
  readonly model: string;
  readonly targets: readonly TargetDescriptor[];
  readonly precisionPolicy?: PrecisionPolicy;
  /** Keep float32 graph inputs and outputs (default true). */
  readonly keepIoTypes?: boolean;
  /** Op types the converter keeps in float32 (default DEFAULT_FP32_OPS). */
  readonly keepOps?: ReadonlySet<string>;
  /** Mixed-model trials allowed (default 64); the search reports `minimal: false` when it stops early. */
  readonly maxTrials?: number;
  readonly timeoutMs?: number;
  readonly placement?: PlacementPolicy;
  /** Run on this pool (a suite's) instead of one of its own; the caller closes it. */
  readonly pool?: TargetPool;
  /** Write the mixed-precision model here. */
  readonly outModel?: string;
  /** Write the block-list JSON here. */
  readonly outBlockList?: string;
  /**
   * Check this block-list (node keys) instead of searching: the mixed model it gives is judged on the
   * targets (the CI gate "the fp16 build still needs only these nodes in float32").
   */
  readonly checkBlockList?: readonly BlockedNode[];
  /** Search dims when the float32 model refuses the guessed ones (default true, as in `crossrt run`). */
  readonly dimSearch?: boolean;
  readonly onProgress?: (p: PrecisionProgress) => void;
}

export type PrecisionStep = PrecisionSearch['trials'][number]['step'];

export interface PrecisionProgress {
  readonly step: PrecisionStep | 'reference' | 'analysis';
  readonly trials: number;
  readonly maxTrials: number;
  readonly fp32Nodes?: number;
  readonly pass?: boolean;
}

export interface PrecisionSearchResult {
  readonly report: Report;
  readonly search: PrecisionSearch;
}

interface Trial {
  readonly fp32: ReadonlySet<string>;
  readonly pass: boolean;
  readonly checks: readonly PolicyCheck[];
  /** Targets the trial ran on (it stops at the first failing one unless run in full). */
  readonly targetsRun: number;
  readonly failure?: string;
  /** Kept only for the trials the report and the analysis need (a model per trial would hold GBs). */
  readonly converted?: Fp16ConvertResult;
  /** Per target that ran it: its execution (outputs per input set); kept with `converted`. */
  readonly runs?: ReadonlyMap<string, TargetExecution>;
}

export const DEFAULT_MAX_TRIALS = 160;

/**
 * `crossrt precision --to fp16`: convert with crossrt's converter, then find a small set of nodes to
 * keep in float32 so the mixed model meets the policy against the float32 model on every target.
 * Seeds are the nodes around float32 values beyond the float16 range; the rest are ranked by the SNR
 * they lose in the all-fp16 model (exposed tensors on one target); the ranked prefix grows, then
 * bisects, then each kept node is tried back in float16, every decision a real run on the targets.
 */
export async function runPrecisionSearch(options: PrecisionSearchOptions): Promise<PrecisionSearchResult> {
  const t0 = performance.now();
  const loaded = await readModelFile(resolve(options.model));
  const policy = options.precisionPolicy ?? DEFAULT_PRECISION_POLICY;
  const keepIoTypes = options.keepIoTypes ?? true;
  const maxTrials = Math.max(1, options.maxTrials ?? DEFAULT_MAX_TRIALS);
  const conv = new Fp16Converter(loaded.proto, {
    keepIoTypes,
    modelDir: loaded.dir,
    ...(options.keepOps ? { keepOps: options.keepOps } : {}),
  });
  const checkKeys = options.checkBlockList?.map((n) => n.node);
  const unknown = (checkKeys ?? []).filter((k) => !conv.info(k));
  if (unknown.length > 0) {
    throw new CrossrtError(
      'BLOCK_LIST_INVALID',
      `the block-list names ${unknown.length} node(s) the model lacks (${unknown
        .slice(0, 3)
        .map((k) => `"${k}"`)
        .join(', ')})`,
      'the model changed since the block-list was written: search again with `crossrt precision --block-list <file>`',
    );
  }
  const signature = modelSignature(loaded.proto);
  const prepare = (shapes?: Readonly<Record<string, readonly number[]>>) => {
    const all = { ...options.shapes, ...shapes };
    const dimOptions = {
      ...(options.dims ? { dims: options.dims } : {}),
      ...(Object.keys(all).length ? { shapes: all } : {}),
      ...(options.defaultDim ? { defaultDim: options.defaultDim } : {}),
    };
    return prepareInputSets(
      signature.inputs,
      [loaded.proto],
      options.seed ?? 0,
      scopeDimOptions(signature.inputs, dimOptions),
      options.inputs,
    );
  };
  let generated = await prepare();
  let sets = generated.sets;
  const pool =
    options.pool ??
    new TargetPool({
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.placement ? { placementPolicy: options.placement } : {}),
    });
  const files = new CandidateFiles('crossrt-precision');
  const progress = (p: Omit<PrecisionProgress, 'maxTrials'>) => options.onProgress?.({ ...p, maxTrials });
  let runs = 0;
  const execute = async (
    proto: ModelProto,
    target: TargetDescriptor,
    setIndexes?: readonly number[],
  ): Promise<TargetExecution> => {
    const path = await files.write(proto, loaded);
    try {
      const inputs = modelSignature(proto).inputs;
      const feedSets = (setIndexes ?? sets.map((_, i) => i)).map((i) => feedsFor(inputs, sets[i]!.tensors));
      runs++;
      return await executeOnTarget(pool, target, path, feedSets, proto.graph?.node.length ?? 0, proto);
    } finally {
      await files.remove(path);
    }
  };

  try {
    // 1. The float32 model on each target: the reference each mixed model is judged against there.
    progress({ step: 'reference', trials: 0 });
    const unsupported: { target: string; reason: string }[] = [];
    const notes: string[] = [];
    const runReferences = async () => {
      const refs = new Map<string, TargetExecution>();
      const failed = new Map<string, TargetExecution>();
      for (const target of options.targets) {
        const exec = await execute(loaded.proto, target);
        (exec.outcome.status === 'ok' ? refs : failed).set(target.id, exec);
      }
      return { refs, failed };
    };
    let { refs: references, failed } = await runReferences();
    // Guessed dims the float32 model refuses (silero pads by reflection): the dims `crossrt run` would search.
    if (
      failed.size > 0 &&
      options.dimSearch !== false &&
      [...failed.values()].some((e) => e.outcome.status === 'load-error' || e.outcome.status === 'run-error')
    ) {
      const shapes = new Map([...generated.tensors].map(([n, t]) => [n, t.dims]));
      for (const candidate of dimCandidates(signature.inputs, generated.dims, shapes).slice(0, MAX_DIM_TRIES)) {
        const before = generated;
        generated = await prepare(candidate.shapes);
        sets = generated.sets;
        const again = await runReferences();
        if (again.failed.size < failed.size) {
          notes.push(
            `dim search: the float32 model failed with the guessed dims (${[...failed].map(([t, e]) => `${t}: ${outcomeLine(e.outcome)}`).join('; ')}); chose ${Object.entries(
              candidate.shapes,
            )
              .map(([n, d]) => `${n}=[${d.join(',')}]`)
              .join(' ')} (${candidate.why})`,
          );
          generated = { ...generated, dims: markSearched(generated.dims, candidate) };
          ({ refs: references, failed } = again);
          if (failed.size === 0) break;
        } else {
          generated = before;
          sets = generated.sets;
        }
      }
    }
    for (const [target, exec] of failed)
      unsupported.push({ target, reason: `the float32 model does not run: ${outcomeLine(exec.outcome)}` });
    let active = options.targets.filter((t) => references.has(t.id));
    const outputNames = signature.outputs.map((o) => o.name);
    const trials: PrecisionSearch['trials'] = [];
    const tried = new Map<string, Trial>();
    const keyOf = (s: ReadonlySet<string>) => [...s].sort().join('\n');

    /**
     * One mixed model on the active targets; the first failing target ends it unless `full`. Verdicts
     * are cached by node set; `keep` runs it again if needed and keeps its model and outputs.
     */
    const evaluate = async (
      fp32: ReadonlySet<string>,
      step: PrecisionStep,
      full = false,
      keep = false,
    ): Promise<Trial> => {
      const known = tried.get(keyOf(fp32));
      if (known && !keep && (!full || known.targetsRun === active.length || !known.pass)) return known;
      const converted = conv.convert(fp32);
      const checks: PolicyCheck[] = [];
      const ran = new Map<string, TargetExecution>();
      let failure: string | undefined;
      for (const target of active) {
        const exec = await execute(converted.model, target);
        ran.set(target.id, exec);
        if (exec.outcome.status !== 'ok') {
          failure = `${target.id}: ${outcomeLine(exec.outcome)}`;
          if (!full) break;
          continue;
        }
        const ref = references.get(target.id)!;
        sets.forEach((set, i) => {
          for (const out of outputNames) {
            checks.push(
              ...checkOutput(
                target.id,
                out,
                sets.length > 1 ? set.name : undefined,
                exec.outputs[i]?.get(out),
                ref.outputs[i]?.get(out),
                policy,
              ),
            );
          }
        });
        if (!full && checks.some((c) => !c.pass)) break;
      }
      const pass = failure === undefined && checks.length > 0 && checks.every((c) => c.pass);
      const verdict: Trial = { fp32, pass, checks, targetsRun: ran.size, ...(failure ? { failure } : {}) };
      tried.set(keyOf(fp32), verdict);
      trials.push({
        fp32Nodes: fp32.size,
        step,
        pass,
        worstMargin: failure ? null : finiteOrNull(worstMargin(checks)),
        ...(failure ? { note: failure } : {}),
      });
      progress({ step, trials: trials.length, fp32Nodes: fp32.size, pass });
      return keep ? { ...verdict, converted, runs: ran } : verdict;
    };

    // 2. All float16: targets where it cannot run at all leave the search, with the reason.
    let allFp16: Trial | undefined;
    if (active.length > 0) {
      allFp16 = await evaluate(new Set(), 'all-fp16', true, true);
      for (const target of [...active]) {
        const exec = allFp16.runs!.get(target.id)!;
        if (exec.outcome.status !== 'ok') {
          unsupported.push({
            target: target.id,
            reason: `the float16 model does not run: ${outcomeLine(exec.outcome)}`,
          });
          active = active.filter((t) => t !== target);
        }
      }
      if (active.length === 0) notes.push('no target runs the float16 model: nothing to search');
      else if (active.length < references.size) {
        // Judged on the targets that run it.
        const { failure: _dropped, ...rest } = allFp16;
        allFp16 = {
          ...rest,
          pass: rest.checks.length > 0 && rest.checks.every((c) => c.pass),
          targetsRun: active.length,
        };
        tried.set(keyOf(new Set()), {
          fp32: new Set(),
          pass: allFp16.pass,
          checks: allFp16.checks,
          targetsRun: active.length,
        });
      }
    }

    // A target that answers zeros for float16 where float32 is not zero is not rounding: say so.
    if (allFp16) {
      for (const target of active) {
        const exec = allFp16.runs?.get(target.id);
        const ref = references.get(target.id)!;
        const zeroed =
          exec?.outcome.status === 'ok' &&
          outputNames.some((o) => allZero(exec.outputs[0]?.get(o)) && !allZero(ref.outputs[0]?.get(o)));
        if (zeroed)
          notes.push(
            `${target.id} returned all-zero outputs for the float16 model where float32 is not zero, without an error: its float16 path looks broken (e.g. a WebGPU device without shader-f16), not merely imprecise`,
          );
      }
    }

    // 3. Where the error comes from, on the target the all-fp16 model misses by most.
    let analysis: PrecisionAnalysis | undefined;
    let units: string[][] = [];
    const seeds = new Set<string>();
    const overflowSeeds = new Set<string>();
    const growthOf = new Map<string, number | undefined>();
    if (allFp16 && active.length > 0 && !allFp16.pass && !checkKeys) {
      progress({ step: 'analysis', trials: trials.length });
      const target = worstTarget(allFp16.checks, active);
      const first = (proto: ModelProto) => execute(proto, target, [0]);
      analysis = await analysePrecision(conv, loaded.proto, allFp16.converted!.model, first, {
        fp32: references.get(target.id)!.outputs[0]!,
        fp16: allFp16.runs!.get(target.id)!.outputs[0]!,
      });
      units = rankCandidates(conv, analysis, { seeds, overflowSeeds }, growthOf);
      notes.push(
        `error growth measured on ${target.id} from ${analysis.tensors.size} exposed tensor(s)`,
        ...analysis.notes,
      );
    }

    // 4. Grow the ranked prefix until it passes, bisect it, then shrink it (units, then single nodes).
    let block: string[] | undefined = checkKeys ? [...checkKeys] : allFp16?.pass ? [] : undefined;
    let minimal = allFp16?.pass === true && !checkKeys;
    if (checkKeys) notes.push(`checked the given block-list (${checkKeys.length} node(s)) instead of searching`);
    if (!block && units.length > 0) {
      const seedUnits = units.findIndex((u) => !seeds.has(u[0]!));
      const found = await searchBlockList(
        units,
        seedUnits < 0 ? units.length : seedUnits,
        async (fp32, step) => (await evaluate(new Set(fp32), step)).pass,
        () => trials.length < maxTrials,
      );
      block = found.kept;
      minimal = found.complete;
      const total = units.flat().length;
      if (found.missed === 'unreachable')
        notes.push(
          `keeping all ${total} candidate node(s) in float32 still misses the policy: the loss is in the default float32 ops, the graph boundary Casts or the target's float16 handling`,
        );
      else if (found.missed === 'budget')
        notes.push(
          `the trial budget (${maxTrials}) ran out before a passing block-list was found (last tried ${found.lastUnits} unit(s) in float32; --max-trials)`,
        );
      else if (!found.complete)
        notes.push(
          `the trial budget (${maxTrials}) ran out while shrinking the block-list: a smaller one may exist (--max-trials)`,
        );
    }

    // 5. The chosen mixed model on every target, judged in full.
    // (the all-fp16 trial already holds what the report needs when nothing had to stay float32)
    const final = !block
      ? undefined
      : block.length === 0 && allFp16?.runs
        ? allFp16
        : await evaluate(new Set(block), 'confirm', true, true);
    if (block && !checkKeys && block.length > 0 && block.length === conv.candidates.length) {
      notes.push(
        `every candidate node had to stay float32: no float16 node survives the policy on ${active.map((t) => t.id).join(', ')}`,
      );
    }
    const met = final?.pass === true;
    const blockList = options.checkBlockList
      ? [...options.checkBlockList]
      : (block ?? []).map((key) => blockedNode(conv, key, { seeds, overflowSeeds }, growthOf));
    const defaultFp32 = conv.nodes
      .filter((n) => n.float && n.keptBecause)
      .map((n): BlockedNode => ({
        node: n.key,
        opType: n.opType,
        graph: n.graph,
        reason: 'default-op',
        why: n.keptBecause!,
      }));
    const written =
      final && met
        ? await writePrecisionFiles(options, loaded, final.converted!, {
            blockList,
            keepIoTypes,
            policy,
            targets: active.map((t) => t.id),
          })
        : undefined;
    if (!met && (options.outModel || options.outBlockList))
      notes.push('no file written: the search found no block-list that meets the policy');

    const search: PrecisionSearch = {
      to: 'fp16',
      mode: checkKeys ? 'check' : 'search',
      keepIoTypes,
      policy,
      targets: active.map((t) => t.id),
      unsupportedTargets: unsupported,
      nodes: {
        total: conv.nodes.length,
        float: conv.nodes.filter((n) => n.float).length,
        candidates: conv.candidates.length,
      },
      outOfRangeWeights: conv.outOfRange.map((r) => ({
        tensor: r.tensor,
        elements: r.elements,
        overflow: r.overflow,
        underflow: r.underflow,
        maxAbs: r.maxAbs,
      })),
      overflowTensors: analysis ? [...analysis.overflowTensors] : [],
      blockList,
      defaultFp32,
      before: [...(allFp16?.checks ?? [])],
      after: [...(final?.checks ?? [])],
      met,
      minimal: met && minimal,
      trials,
      runs,
      seconds: (performance.now() - t0) / 1000,
      castsInserted: (final ?? allFp16)?.converted?.castsInserted ?? 0,
      ...(written ? { files: written } : {}),
      notes,
    };
    const report = precisionReport(
      options,
      loaded,
      generated,
      search,
      final ?? allFp16,
      references,
      pool.placementPolicy,
    );
    return { report, search };
  } finally {
    await files.close();
    if (!options.pool) await pool.close();
  }
}

/** Ranked units: seeds (overflow neighbours, then nodes that first go non-finite), then the rest by SNR lost. */
interface Seeds {
  /** Every seed: overflow neighbours, then nodes whose output first goes non-finite. */
  readonly seeds: Set<string>;
  readonly overflowSeeds: Set<string>;
}

function rankCandidates(
  conv: Fp16Converter,
  analysis: PrecisionAnalysis,
  { seeds, overflowSeeds }: Seeds,
  growthOf: Map<string, number | undefined>,
) {
  const candidates = new Set(conv.candidates.map((n) => n.key));
  const main = analysis.growth;
  main.forEach((g) => growthOf.set(g.key, g.growthDb));
  for (const g of main) {
    if (g.overflow && candidates.has(g.key)) {
      seeds.add(g.key);
      overflowSeeds.add(g.key);
    }
  }
  for (const g of main) if (g.growthDb === Infinity && candidates.has(g.key)) seeds.add(g.key);
  const rest = main
    .map((g, index) => ({ ...g, index }))
    .filter((g) => candidates.has(g.key) && !seeds.has(g.key))
    .sort((a, b) => (b.growthDb ?? -1) - (a.growthDb ?? -1) || a.index - b.index);
  const topLevel = [...seeds, ...rest.map((g) => g.key)];
  // Nodes inside If/Loop/Scan bodies follow the control-flow node that holds them.
  const mainKeys = new Set(main.map((g) => g.key));
  const bodyNodes = conv.candidates.filter((n) => n.graph !== '');
  const parentOf = (graph: string) =>
    [...mainKeys].filter((k) => graph.startsWith(`${k}/`)).sort((a, b) => b.length - a.length)[0];
  const byParent = new Map<string, string[]>();
  for (const n of bodyNodes) {
    const p = parentOf(n.graph) ?? '';
    byParent.set(p, [...(byParent.get(p) ?? []), n.key]);
    growthOf.set(n.key, growthOf.get(p));
  }
  // A control-flow node and its body nodes form one unit: their tensors cannot be measured apart.
  const units: string[][] = [];
  const placed = new Set<string>();
  for (const key of topLevel) {
    units.push([key, ...(byParent.get(key) ?? [])]);
    placed.add(key);
  }
  // Bodies of control-flow nodes that are not candidates themselves (e.g. an If that reads no float) keep their rank.
  for (const g of main) {
    const inner = byParent.get(g.key);
    if (!placed.has(g.key) && inner) units.push(inner);
  }
  return units;
}

/** SNR a node must lose in the all-fp16 model for its block-list reason to be the loss itself. */
const MEASURED_GROWTH_DB = 0.5;

function blockedNode(
  conv: Fp16Converter,
  key: string,
  { overflowSeeds }: Seeds,
  growthOf: ReadonlyMap<string, number | undefined>,
): BlockedNode {
  const info = conv.info(key)!;
  const g = growthOf.get(key);
  const reason: BlockedNode['reason'] = overflowSeeds.has(key)
    ? 'overflow'
    : g !== undefined && g >= MEASURED_GROWTH_DB
      ? 'error-growth'
      : 'trial';
  const why =
    reason === 'overflow'
      ? 'it reads or writes float32 values beyond ±65504'
      : g === Infinity
        ? 'its output turns non-finite in float16 where float32 is finite'
        : reason === 'trial'
          ? 'putting it back in float16 fails the policy (its own loss is not measurable here)'
          : undefined;
  return {
    node: key,
    opType: info.opType,
    graph: info.graph,
    reason,
    ...(g !== undefined && Number.isFinite(g) ? { errorGrowthDb: Math.round(g * 100) / 100 } : {}),
    ...(why ? { why } : {}),
  };
}

/** The feeds a model declares; float32 values become float16 where the model's input is float16. */
function feedsFor(
  inputs: ReturnType<typeof modelSignature>['inputs'],
  tensors: ReadonlyMap<string, HostTensor>,
): Record<string, HostTensor> {
  const feeds = declaredFeeds(new Set(inputs.map((i) => i.name)), tensors);
  for (const i of inputs) {
    const t = feeds[i.name];
    if (t && i.dtype === 'float16' && t.dtype === 'float32')
      feeds[i.name] = { dtype: 'float16', dims: t.dims, data: encodeFloat16Array(numericView(t) as Float32Array) };
  }
  return feeds;
}

/** The active target with the smallest margin (the first when none ran). */
function worstTarget(checks: readonly PolicyCheck[], active: readonly TargetDescriptor[]): TargetDescriptor {
  let worst = active[0]!;
  let margin = Infinity;
  for (const t of active) {
    const m = worstMargin(checks.filter((c) => c.target === t.id));
    const v = m === null ? -Infinity : m;
    if (v < margin) {
      margin = v;
      worst = t;
    }
  }
  return worst;
}

function allZero(t: HostTensor | undefined): boolean {
  if (!t || (t.dtype !== 'float32' && t.dtype !== 'float16')) return false;
  const v = numericView(t) as ArrayLike<number>;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return v.length > 0;
}

function finiteOrNull(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : x;
}

function precisionReport(
  options: PrecisionSearchOptions,
  loaded: LoadedModel,
  generated: Awaited<ReturnType<typeof prepareInputSets>>,
  search: PrecisionSearch,
  trial: Trial | undefined,
  references: ReadonlyMap<string, TargetExecution>,
  placement: PlacementPolicy,
): Report {
  const tolerance = policyTolerance(search.policy);
  const name = loaded.path.split('/').pop()!;
  const mixed =
    name.replace(/\.onnx$/, '') +
    (search.blockList.length > 0 || search.defaultFp32.length > 0 ? '.mixed-fp16.onnx' : '.fp16.onnx');
  const outcomes: RunOutcome[] = [];
  const comparisons: Comparison[] = [];
  const sets = generated.sets;
  for (const [target, exec] of trial?.runs ?? new Map<string, TargetExecution>()) {
    outcomes.push(exec.outcome);
    const ref = references.get(target);
    if (!ref || exec.outcome.status !== 'ok') continue;
    sets.forEach((set, i) => {
      for (const o of modelSignature(loaded.proto).outputs) {
        comparisons.push(
          compareOutput({
            output: o.name,
            target: `${mixed}@${target}`,
            reference: `${name}@${target}`,
            ...(sets.length > 1 ? { inputSet: set.name } : {}),
            actual: exec.outputs[i]?.get(o.name),
            expected: ref.outputs[i]?.get(o.name),
            tolerance,
            allowFloatDtypeMix: true,
            classScores: 'auto',
          }),
        );
      }
    });
  }
  for (const u of search.unsupportedTargets) {
    if (!outcomes.some((o) => o.target === u.target)) {
      outcomes.push({
        target: u.target,
        status: 'unavailable',
        error: { message: u.reason },
        outputs: [],
        logTail: [],
      });
    }
  }
  const result: Omit<CaseResult, 'verdict'> = {
    id: options.model,
    model: modelRecord(loaded.path, loaded),
    inputs: [...generated.records],
    dims: [...generated.dims],
    outcomes,
    comparisons,
    precision: search,
    notes: [...search.notes],
  };
  const verdict = search.met ? caseVerdict(result) : 'fail';
  return buildReport(
    'precision',
    {
      targets: options.targets.map((t) => t.id),
      reference: `${name} (float32, on each target)`,
      seed: options.seed ?? 0,
      tolerance,
      defaultDim: options.defaultDim ?? DEFAULT_DIM,
      placement,
    },
    [{ ...result, verdict } as CaseResult],
  );
}
