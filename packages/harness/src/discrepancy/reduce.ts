import type { Comparison, HostTensor, Reduction, Report, RunOutcome, TolerancePolicy } from '@crossrt/core';
import { CrossrtError, isCrossrtError } from '@crossrt/core';
import { compareOutput, resolveTolerance } from '@crossrt/compare';
import { exposeTensors, modelSignature } from '@crossrt/model';
import { CapturedValues, cutModel } from './cut-model.js';
import {
  describeFailure, runDiscrepancySearch, SideRunner, tolerancePolicy,
  type DiscrepancyOptions, type DiscrepancySpec, type SideInputs,
} from './discrepancy-sides.js';
import { coneOf, graphOrder, NON_TENSOR_OUTPUT_OPS, type GraphOrder } from '../graph/graph-order.js';
import { writeReduction, type ReducedRepro } from './reduction-files.js';

/** Target runs one reduction may spend (each candidate costs two, plus captures). */
export const DEFAULT_MAX_RUNS = 300;
/** Up to this many upstream tensors are captured at once, up front. */
const PREFETCH_LIMIT = 128;

export interface ReduceOptions extends DiscrepancyOptions {
  /** Folder the reduced model and its inputs are written to. */
  readonly outDir: string;
  /** Output whose verdict must be kept (default: the first that does not pass); may name an intermediate tensor. */
  readonly output?: string;
  readonly maxRuns?: number;
}

/** One point of the search: the model computing `output`, with the tensors in `cut` fed from captured values. */
interface Candidate {
  readonly output: string;
  readonly cut: ReadonlySet<string>;
}

interface Evaluation {
  readonly reproduced: boolean;
  readonly nodes: readonly number[];
  readonly comparison?: Comparison;
  readonly reason: string;
}

/**
 * `crossrt reduce`: delta debugging over the graph. Starting from the output that shows the verdict,
 * (1) bisect the output side: the earliest tensor on the path whose upstream model still shows it;
 * (2) bisect the input side: cut as many leading nodes as possible, feeding their outputs with values
 * captured on the reference side (so both sides get identical inputs); (3) go finer: try removing each
 * remaining node, and moving the output to each earlier tensor, until nothing more can go. A candidate
 * is kept only when a real run on both sides shows the same verdict kind again.
 */
export async function reduceDiscrepancy(options: ReduceOptions): Promise<Report> {
  return runDiscrepancySearch('reduce', options, async (spec, inputs, runner) => {
    const policy = tolerancePolicy(options);
    const { reduction, comparisons, outcomes } = await reduceWith(spec, inputs, runner, policy, options);
    return { tolerance: floatTolerance(spec, policy), outcomes, comparisons, extra: reduction ? { reduction } : {} };
  });
}

function floatTolerance(spec: DiscrepancySpec, policy: TolerancePolicy) {
  return resolveTolerance({ output: '*', dtype: 'float32', target: spec.actual.label, reference: spec.reference.label }, policy, 'cli');
}

/** The search on prepared sides. Returns no reduction when the plain model shows nothing to reduce. */
export async function reduceWith(
  spec: DiscrepancySpec, inputs: SideInputs, runner: SideRunner, policy: TolerancePolicy, options: Pick<ReduceOptions, 'outDir' | 'output' | 'maxRuns'>,
): Promise<{ reduction?: Reduction; comparisons: readonly Comparison[]; outcomes: readonly RunOutcome[] }> {
  const refProto = spec.reference.model.proto;
  const actProto = spec.actual.model.proto;
  const compare = (output: string, expected: HostTensor | undefined, actual: HostTensor | undefined): Comparison => compareOutput({
    output, target: spec.actual.label, reference: spec.reference.label, expected, actual, policy, policyBaseSource: 'cli',
    allowFloatDtypeMix: spec.mode === 'variants',
  });
  const plain = await runner.runBoth(refProto, actProto, inputs.feeds);
  const outcomes = [plain.reference.outcome, plain.actual.outcome];
  if (plain.reference.outcome.status !== 'ok') {
    throw new CrossrtError('HOST_FAILED', `the reference side does not run the model (${describeFailure(spec.reference, plain.reference)})`, 'reduce feeds cut models with values captured on the reference side: put a target that runs the model first');
  }
  // A failing actual side is a discrepancy too: keep whatever still fails the same way there.
  const failure = plain.actual.outcome.status !== 'ok'
    ? { status: plain.actual.outcome.status, message: (plain.actual.outcome.error?.message ?? '').split('\n')[0]! }
    : undefined;
  const comparisons = modelSignature(refProto).outputs.map((o) => compare(o.name, plain.reference.outputs[0]?.get(o.name), plain.actual.outputs[0]?.get(o.name)));
  const order = graphOrder(refProto);
  if (options.output && !comparisons.some((c) => c.output === options.output)) {
    // An intermediate tensor (e.g. one `localize` found diverging): expose it to see its verdict.
    if (!order.producer.has(options.output)) {
      throw new CrossrtError('GRAPH_TENSOR_NOT_FOUND', `--output ${options.output} is neither an output nor a tensor produced in the main graph`, 'name a graph output or a tensor from the `crossrt localize` table');
    }
    if (failure) throw new CrossrtError('USAGE', `--output ${options.output} names an intermediate tensor, but ${spec.actual.label} does not run the model at all (${failure.status})`, 'leave --output out to shrink the failure');
    const exposed = await runner.runBoth(exposeTensors(refProto, [options.output]).model, exposeTensors(actProto, [options.output]).model, inputs.feeds);
    if (exposed.reference.outcome.status !== 'ok' || exposed.actual.outcome.status !== 'ok') {
      throw new CrossrtError('HOST_FAILED', `exposing ${options.output} failed (${describeFailure(spec.reference, exposed.reference)}; ${describeFailure(spec.actual, exposed.actual)})`);
    }
    comparisons.push(compare(options.output, exposed.reference.outputs[0]?.get(options.output), exposed.actual.outputs[0]?.get(options.output)));
  }
  const failing = options.output ? comparisons.find((c) => c.output === options.output) : comparisons.find((c) => c.verdict !== 'pass');
  if (!failing || failing.verdict === 'pass') return { comparisons, outcomes };
  const verdict = failing.verdict;

  const captured = new CapturedValues(runner, refProto, inputs.feeds);
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  const steps: Reduction['steps'] = [];
  const notes: string[] = [];
  const memo = new Map<string, Evaluation>();
  const keyOf = (c: Candidate, cutReads: readonly string[]) => `${c.output}|${[...cutReads].sort().join('\u0000')}`;
  const budgetLeft = () => runner.runs + 2 <= maxRuns;

  const evaluate = async (c: Candidate, phase: Reduction['steps'][number]['phase']): Promise<Evaluation> => {
    const cone = coneOf(order, [c.output], c.cut);
    const key = keyOf(c, cone.cutReads);
    const known = memo.get(key);
    if (known) return known;
    if (!budgetLeft()) return { reproduced: false, nodes: cone.nodes, reason: 'run budget exhausted' };
    let built;
    try {
      const values = await captured.get([...cone.cutReads, c.output]);
      const ref = cutModel(refProto, cone.cutReads, c.output, values);
      const act = spec.mode === 'targets' ? ref : cutModel(actProto, cone.cutReads, c.output, values);
      built = { ref, act, feeds: new Map([...ref.inputs, ...act.inputs].map((name) => [name, values.get(name)!])) };
    } catch (err) {
      // A cut the surgery or the capture cannot make (a sequence-valued tensor, a name the variant lacks)
      // is just a candidate that does not reproduce.
      if (!isCrossrtError(err)) throw err;
      const e = { reproduced: false, nodes: cone.nodes, reason: `${err.code}: ${err.message}` };
      memo.set(key, e);
      return e;
    }
    const { ref, act } = built;
    const run = await runner.runBoth(ref.model, act.model, built.feeds);
    let e: Evaluation;
    if (failure && run.reference.outcome.status === 'ok') {
      const status = run.actual.outcome.status;
      e = { reproduced: status === failure.status, nodes: cone.nodes, reason: status === 'ok' ? `${spec.actual.label} runs it` : describeFailure(spec.actual, run.actual) };
    } else if (run.reference.outcome.status !== 'ok' || run.actual.outcome.status !== 'ok') {
      e = { reproduced: false, nodes: cone.nodes, reason: [describeFailure(spec.reference, run.reference), describeFailure(spec.actual, run.actual)].join('; ') };
    } else {
      const comparison = compare(c.output, run.reference.outputs[0]?.get(c.output), run.actual.outputs[0]?.get(c.output));
      e = { reproduced: comparison.verdict === verdict, nodes: cone.nodes, comparison, reason: comparison.reason };
    }
    memo.set(key, e);
    steps.push({ phase, output: c.output, nodes: cone.nodes.length, reproduced: e.reproduced });
    return e;
  };

  // 0. The original output's own upstream model (other outputs dropped) must show the verdict.
  let best: Candidate = { output: failing.output, cut: new Set() };
  let bestEval = await evaluate(best, 'baseline');
  if (!bestEval.reproduced) {
    notes.push(`the model reduced to the upstream of ${failing.output} does not show ${verdict} (${bestEval.reason}): nothing could be cut`);
  } else {
    // Small graphs: capture every tensor upstream of the output in one run instead of one run per cut.
    const path = outputCandidates(order, failing.output);
    if (path.length <= PREFETCH_LIMIT) await captured.get(path);
    // 1. Output side: bisect over the tensors upstream of the output, in topological order.
    let lo = 0;
    let hi = path.length - 1;
    while (lo < hi && budgetLeft()) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await evaluate({ output: path[mid]!, cut: new Set() }, 'output-bisect')).reproduced) hi = mid;
      else lo = mid + 1;
    }
    best = { output: path[hi]!, cut: new Set() };
    bestEval = await evaluate(best, 'output-bisect');

    // 2. Input side: cut the first p nodes of the cone, bisecting for the largest p that still shows it.
    const cone = coneOf(order, [best.output]).nodes;
    const cutBefore = (p: number) => new Set(cone.slice(0, p).flatMap((i) => order.nodes[i]!.outputs));
    let keep = 0;
    let top = cone.length - 1;
    while (keep < top && budgetLeft()) {
      const mid = Math.ceil((keep + top) / 2);
      if ((await evaluate({ output: best.output, cut: cutBefore(mid) }, 'input-bisect')).reproduced) keep = mid;
      else top = mid - 1;
    }
    best = { output: best.output, cut: cutBefore(keep) };
    bestEval = await evaluate(best, 'input-bisect');

    // 3. Finer: drop single nodes (cut their outputs) in one pass, then try moving the output earlier;
    // repeat while either helps.
    let changed = true;
    while (changed && budgetLeft()) {
      changed = false;
      for (const i of [...bestEval.nodes]) {
        const n = order.nodes[i]!;
        if (!bestEval.nodes.includes(i) || n.outputs.includes(best.output) || !budgetLeft()) continue;
        const next: Candidate = { output: best.output, cut: new Set([...best.cut, ...n.outputs]) };
        const e = await evaluate(next, 'node-removal');
        if (e.reproduced) {
          best = next;
          bestEval = e;
          changed = true;
        }
      }
      shift: for (const i of bestEval.nodes) {
        const n = order.nodes[i]!;
        if (NON_TENSOR_OUTPUT_OPS.has(n.opType) || n.outputs.includes(best.output)) continue;
        for (const t of n.outputs) {
          if (!budgetLeft()) break shift;
          const e = await evaluate({ output: t, cut: best.cut }, 'output-shift');
          if (e.reproduced) {
            best = { output: t, cut: best.cut };
            bestEval = e;
            changed = true;
            break shift;
          }
        }
      }
    }
    if (!budgetLeft()) notes.push(`stopped at the run budget (${maxRuns} target runs); the model may shrink further with --max-runs`);
  }

  // Write the repro: the reduced model(s) when the verdict reproduced, else the original model.
  const finalCone = bestEval.reproduced ? coneOf(order, [best.output], best.cut) : { nodes: order.nodes.map((n) => n.index), cutReads: [] as string[] };
  let repro: ReducedRepro;
  if (bestEval.reproduced) {
    const values = await captured.get([...finalCone.cutReads, best.output]);
    const ref = cutModel(refProto, finalCone.cutReads, best.output, values);
    const act = spec.mode === 'targets' ? ref : cutModel(actProto, finalCone.cutReads, best.output, values);
    // One more run of the final model: its outputs go into the repro, and it proves the repro once more.
    const feeds = new Map(ref.inputs.map((n) => [n, values.get(n)!]));
    const last = await runner.runBoth(ref.model, act.model, feeds);
    const refOut = last.reference.outputs[0]?.get(best.output);
    const actOut = last.actual.outputs[0]?.get(best.output);
    const check = failure
      ? { verdict: last.actual.outcome.status === failure.status ? verdict : last.actual.outcome.status, reason: describeFailure(spec.actual, last.actual) }
      : compare(best.output, refOut, actOut);
    if (check.verdict !== verdict) notes.push(`the final model showed ${check.verdict} on its confirming run (${check.reason}): the discrepancy is not stable`);
    repro = { reference: ref.model, ...(spec.mode === 'variants' ? { variant: act.model } : {}), inputs: ref.inputs, values, output: best.output, ...(refOut ? { referenceOutput: refOut } : {}), ...(actOut ? { actualOutput: actOut } : {}) };
  } else {
    const names = modelSignature(refProto).inputs.map((i) => i.name);
    repro = {
      reference: refProto, ...(spec.mode === 'variants' ? { variant: actProto } : {}), inputs: names, values: inputs.feeds, output: failing.output,
      ...(plain.reference.outputs[0]?.get(failing.output) ? { referenceOutput: plain.reference.outputs[0].get(failing.output)! } : {}),
      ...(plain.actual.outputs[0]?.get(failing.output) ? { actualOutput: plain.actual.outputs[0].get(failing.output)! } : {}),
    };
  }
  const written = await writeReduction(options.outDir, repro);
  const reduction: Reduction = {
    mode: spec.mode, reference: spec.reference.label, actual: spec.actual.label, tolerance: floatTolerance(spec, policy),
    originalOutput: failing.output, verdict, ...(failure ? { failure } : {}), output: repro.output, reason: bestEval.reproduced ? bestEval.reason : failure?.message ?? failing.reason,
    nodesBefore: order.nodes.length, nodesAfter: finalCone.nodes.length,
    nodes: finalCone.nodes.map((i) => ({ name: order.nodes[i]!.label, opType: order.nodes[i]!.opType })),
    inputs: repro.inputs.map((name) => {
      const t = repro.values.get(name)!;
      return { name, dtype: t.dtype, dims: [...t.dims], captured: !order.graphInputs.has(name) };
    }),
    runs: runner.runs, steps, files: written, notes,
  };
  return { reduction, comparisons, outcomes };
}

/**
 * Tensors upstream of `output` (itself last), in topological order, that depend on a graph input:
 * constant folding chains (shapes of constants, Constant nodes) cannot show a data discrepancy and
 * would only break the bisection's ordering.
 */
function outputCandidates(order: GraphOrder, output: string): string[] {
  const { nodes } = coneOf(order, [output]);
  const dataDependent = new Set<string>(order.graphInputs);
  for (const n of order.nodes) if (n.reads.some((r) => dataDependent.has(r))) n.outputs.forEach((o) => dataDependent.add(o));
  const path = nodes.flatMap((i) => (NON_TENSOR_OUTPUT_OPS.has(order.nodes[i]!.opType) ? [] : order.nodes[i]!.outputs))
    .filter((t) => t !== output && dataDependent.has(t));
  return [...path, output];
}
