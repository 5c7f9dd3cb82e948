import type { Comparison, HostTensor, Reduction, Report, RunOutcome, TolerancePolicy } from '@crossrt/core';
import { CrossrtError, isCrossrtError } from '@crossrt/core';
import { exposeTensors, modelSignature } from '@crossrt/model';
import { CapturedValues, cutModel } from './cut-model.js';
import {
  compareGraphOutputs,
  describeFailure,
  floatTolerance,
  runDiscrepancySearch,
  sideComparer,
  SideRunner,
  tolerancePolicy,
  type DiscrepancyOptions,
  type DiscrepancySpec,
  type SideComparer,
  type SideInputs,
  type SidePairRun,
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

/** What the reduction must keep showing: a verdict on one output, or the actual side's failure. */
interface ReductionGoal {
  readonly output: string;
  readonly verdict: Comparison['verdict'];
  readonly reason: string;
  readonly failure?: { readonly status: RunOutcome['status']; readonly message: string };
}

/** The search on prepared sides. Returns no reduction when the plain model shows nothing to reduce. */
export async function reduceWith(
  spec: DiscrepancySpec,
  inputs: SideInputs,
  runner: SideRunner,
  policy: TolerancePolicy,
  options: Pick<ReduceOptions, 'outDir' | 'output' | 'maxRuns'>,
): Promise<{ reduction?: Reduction; comparisons: readonly Comparison[]; outcomes: readonly RunOutcome[] }> {
  const compare = sideComparer(spec, policy);
  const plain = await runPlainModel(spec, inputs, runner);
  const outcomes = [plain.reference.outcome, plain.actual.outcome];
  const failure = actualSideFailure(plain);
  const order = graphOrder(spec.reference.model.proto);
  const comparisons = compareGraphOutputs(spec.reference.model.proto, plain, compare);
  if (options.output && !comparisons.some((c) => c.output === options.output)) {
    comparisons.push(await compareIntermediate(spec, inputs, runner, order, compare, options.output, failure));
  }
  const failing = options.output
    ? comparisons.find((c) => c.output === options.output)
    : comparisons.find((c) => c.verdict !== 'pass');
  if (!failing || failing.verdict === 'pass') return { comparisons, outcomes };
  const target: ReductionGoal = {
    output: failing.output,
    verdict: failing.verdict,
    reason: failing.reason,
    ...(failure ? { failure } : {}),
  };

  const search = new ReductionSearch(
    spec,
    runner,
    order,
    compare,
    target,
    inputs.feeds,
    options.maxRuns ?? DEFAULT_MAX_RUNS,
  );
  const best = await search.shrink();
  const finalCone = best.evaluation.reproduced
    ? coneOf(order, [best.candidate.output], best.candidate.cut)
    : { nodes: order.nodes.map((n) => n.index), cutReads: [] as string[] };
  const repro = best.evaluation.reproduced
    ? await confirmedRepro(search, best.candidate.output, finalCone.cutReads)
    : originalRepro(spec, inputs, plain, target.output);
  const written = await writeReduction(options.outDir, repro);
  const reduction: Reduction = {
    mode: spec.mode,
    reference: spec.reference.label,
    actual: spec.actual.label,
    tolerance: floatTolerance(spec, policy),
    originalOutput: target.output,
    verdict: target.verdict,
    ...(failure ? { failure } : {}),
    output: repro.output,
    reason: best.evaluation.reproduced ? best.evaluation.reason : (failure?.message ?? target.reason),
    nodesBefore: order.nodes.length,
    nodesAfter: finalCone.nodes.length,
    nodes: finalCone.nodes.map((i) => ({ name: order.nodes[i]!.label, opType: order.nodes[i]!.opType })),
    inputs: repro.inputs.map((name) => {
      const t = repro.values.get(name)!;
      return { name, dtype: t.dtype, dims: [...t.dims], captured: !order.graphInputs.has(name) };
    }),
    runs: runner.runs,
    steps: search.steps,
    files: written,
    notes: search.notes,
  };
  return { reduction, comparisons, outcomes };
}

/** The unmodified model on both sides; the reference side must run it, since it supplies every cut's values. */
async function runPlainModel(spec: DiscrepancySpec, inputs: SideInputs, runner: SideRunner): Promise<SidePairRun> {
  const plain = await runner.runBoth(spec.reference.model.proto, spec.actual.model.proto, inputs.feeds);
  if (plain.reference.outcome.status !== 'ok') {
    throw new CrossrtError(
      'HOST_FAILED',
      `the reference side does not run the model (${describeFailure(spec.reference, plain.reference)})`,
      'reduce feeds cut models with values captured on the reference side: put a target that runs the model first',
    );
  }
  return plain;
}

/** A failing actual side is a discrepancy too: the search then keeps whatever still fails the same way there. */
function actualSideFailure(plain: SidePairRun): ReductionGoal['failure'] {
  return plain.actual.outcome.status !== 'ok'
    ? { status: plain.actual.outcome.status, message: (plain.actual.outcome.error?.message ?? '').split('\n')[0]! }
    : undefined;
}

/** `--output` naming an intermediate tensor (e.g. one `localize` found diverging): expose it to see its verdict. */
async function compareIntermediate(
  spec: DiscrepancySpec,
  inputs: SideInputs,
  runner: SideRunner,
  order: GraphOrder,
  compare: SideComparer,
  output: string,
  failure: ReductionGoal['failure'],
): Promise<Comparison> {
  if (!order.producer.has(output)) {
    throw new CrossrtError(
      'GRAPH_TENSOR_NOT_FOUND',
      `--output ${output} is neither an output nor a tensor produced in the main graph`,
      'name a graph output or a tensor from the `crossrt localize` table',
    );
  }
  if (failure)
    throw new CrossrtError(
      'USAGE',
      `--output ${output} names an intermediate tensor, but ${spec.actual.label} does not run the model at all (${failure.status})`,
      'leave --output out to shrink the failure',
    );
  const exposed = await runner.runBoth(
    exposeTensors(spec.reference.model.proto, [output]).model,
    exposeTensors(spec.actual.model.proto, [output]).model,
    inputs.feeds,
  );
  if (exposed.reference.outcome.status !== 'ok' || exposed.actual.outcome.status !== 'ok') {
    throw new CrossrtError(
      'HOST_FAILED',
      `exposing ${output} failed (${describeFailure(spec.reference, exposed.reference)}; ${describeFailure(spec.actual, exposed.actual)})`,
    );
  }
  return compare(output, exposed.reference.outputs[0]?.get(output), exposed.actual.outputs[0]?.get(output));
}

/** A candidate with its evaluation. */
interface Point {
  readonly candidate: Candidate;
  readonly evaluation: Evaluation;
}

/**
 * One reduction's search: candidates are evaluated by real runs on both sides (memoized per cone, within
 * the run budget), values for cut tensors are captured on the reference side, and every evaluation run
 * is recorded as a step.
 */
class ReductionSearch {
  readonly steps: Reduction['steps'] = [];
  readonly notes: string[] = [];
  readonly captured: CapturedValues;
  private readonly memo = new Map<string, Evaluation>();

  constructor(
    readonly spec: DiscrepancySpec,
    readonly runner: SideRunner,
    private readonly order: GraphOrder,
    readonly compare: SideComparer,
    readonly target: ReductionGoal,
    feeds: ReadonlyMap<string, HostTensor>,
    readonly maxRuns: number,
  ) {
    this.captured = new CapturedValues(runner, spec.reference.model.proto, feeds);
  }

  budgetLeft(): boolean {
    return this.runner.runs + 2 <= this.maxRuns;
  }

  /** Steps 0–3 of the search; the point it ends at (the baseline when that does not reproduce). */
  async shrink(): Promise<Point> {
    // 0. The original output's own upstream model (other outputs dropped) must show the verdict.
    const baseline = await this.at({ output: this.target.output, cut: new Set() }, 'baseline');
    if (!baseline.evaluation.reproduced) {
      this.notes.push(
        `the model reduced to the upstream of ${this.target.output} does not show ${this.target.verdict} (${baseline.evaluation.reason}): nothing could be cut`,
      );
      return baseline;
    }
    let best = await this.bisectOutputSide();
    best = await this.bisectInputSide(best.candidate.output);
    best = await this.refine(best);
    if (!this.budgetLeft())
      this.notes.push(
        `stopped at the run budget (${this.maxRuns} target runs); the model may shrink further with --max-runs`,
      );
    return best;
  }

  /** 1. Output side: bisect over the tensors upstream of the output, in topological order. */
  private async bisectOutputSide(): Promise<Point> {
    // Small graphs: capture every tensor upstream of the output in one run instead of one run per cut.
    const path = outputCandidates(this.order, this.target.output);
    if (path.length <= PREFETCH_LIMIT) await this.captured.get(path);
    let lo = 0;
    let hi = path.length - 1;
    while (lo < hi && this.budgetLeft()) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.evaluate({ output: path[mid]!, cut: new Set() }, 'output-bisect')).reproduced) hi = mid;
      else lo = mid + 1;
    }
    return this.at({ output: path[hi]!, cut: new Set() }, 'output-bisect');
  }

  /** 2. Input side: cut the first p nodes of the cone, bisecting for the largest p that still shows it. */
  private async bisectInputSide(output: string): Promise<Point> {
    const cone = coneOf(this.order, [output]).nodes;
    const cutBefore = (p: number) => new Set(cone.slice(0, p).flatMap((i) => this.order.nodes[i]!.outputs));
    let keep = 0;
    let top = cone.length - 1;
    while (keep < top && this.budgetLeft()) {
      const mid = Math.ceil((keep + top) / 2);
      if ((await this.evaluate({ output, cut: cutBefore(mid) }, 'input-bisect')).reproduced) keep = mid;
      else top = mid - 1;
    }
    return this.at({ output, cut: cutBefore(keep) }, 'input-bisect');
  }

  /** 3. Finer: drop single nodes in one pass, then try moving the output earlier; repeat while either helps. */
  private async refine(start: Point): Promise<Point> {
    let best = start;
    let changed = true;
    while (changed && this.budgetLeft()) {
      const removed = await this.removeSingleNodes(best);
      const shifted = await this.shiftOutputEarlier(removed ?? best);
      best = shifted ?? removed ?? best;
      changed = removed !== undefined || shifted !== undefined;
    }
    return best;
  }

  /** Cut each node's outputs in turn, keeping every cut that still reproduces; undefined when none does. */
  private async removeSingleNodes(start: Point): Promise<Point | undefined> {
    let best = start;
    let changed = false;
    for (const i of [...best.evaluation.nodes]) {
      const n = this.order.nodes[i]!;
      if (!best.evaluation.nodes.includes(i) || n.outputs.includes(best.candidate.output) || !this.budgetLeft())
        continue;
      const next = await this.at(
        { output: best.candidate.output, cut: new Set([...best.candidate.cut, ...n.outputs]) },
        'node-removal',
      );
      if (next.evaluation.reproduced) {
        best = next;
        changed = true;
      }
    }
    return changed ? best : undefined;
  }

  /** The first earlier tensor of the cone that still reproduces as the output; undefined when none does. */
  private async shiftOutputEarlier(best: Point): Promise<Point | undefined> {
    for (const i of best.evaluation.nodes) {
      const n = this.order.nodes[i]!;
      if (NON_TENSOR_OUTPUT_OPS.has(n.opType) || n.outputs.includes(best.candidate.output)) continue;
      for (const t of n.outputs) {
        if (!this.budgetLeft()) return undefined;
        const next = await this.at({ output: t, cut: best.candidate.cut }, 'output-shift');
        if (next.evaluation.reproduced) return next;
      }
    }
    return undefined;
  }

  private async at(candidate: Candidate, phase: Reduction['steps'][number]['phase']): Promise<Point> {
    return { candidate, evaluation: await this.evaluate(candidate, phase) };
  }

  /** A real run of the candidate on both sides: does it show the target's verdict (or failure) again? */
  private async evaluate(c: Candidate, phase: Reduction['steps'][number]['phase']): Promise<Evaluation> {
    const cone = coneOf(this.order, [c.output], c.cut);
    const key = `${c.output}|${[...cone.cutReads].sort().join('\u0000')}`;
    const known = this.memo.get(key);
    if (known) return known;
    if (!this.budgetLeft()) return { reproduced: false, nodes: cone.nodes, reason: 'run budget exhausted' };
    let built;
    try {
      built = await this.build(cone.cutReads, c.output);
    } catch (err) {
      // A cut the surgery or the capture cannot make (a sequence-valued tensor, a name the variant lacks)
      // is just a candidate that does not reproduce.
      if (!isCrossrtError(err)) throw err;
      const e = { reproduced: false, nodes: cone.nodes, reason: `${err.code}: ${err.message}` };
      this.memo.set(key, e);
      return e;
    }
    const { ref, act, values } = built;
    const run = await this.runner.runBoth(
      ref.model,
      act.model,
      new Map([...ref.inputs, ...act.inputs].map((name) => [name, values.get(name)!])),
    );
    const e = this.judge(run, c.output, cone.nodes);
    this.memo.set(key, e);
    this.steps.push({ phase, output: c.output, nodes: cone.nodes.length, reproduced: e.reproduced });
    return e;
  }

  /** The cut model(s) computing `output` from `cutReads`, with the captured values they are fed. */
  async build(cutReads: readonly string[], output: string) {
    const values = await this.captured.get([...cutReads, output]);
    const ref = cutModel(this.spec.reference.model.proto, cutReads, output, values);
    const act = this.spec.mode === 'targets' ? ref : cutModel(this.spec.actual.model.proto, cutReads, output, values);
    return { ref, act, values };
  }

  private judge(run: SidePairRun, output: string, nodes: readonly number[]): Evaluation {
    const { spec, target } = this;
    if (target.failure && run.reference.outcome.status === 'ok') {
      const status = run.actual.outcome.status;
      return {
        reproduced: status === target.failure.status,
        nodes,
        reason: status === 'ok' ? `${spec.actual.label} runs it` : describeFailure(spec.actual, run.actual),
      };
    }
    if (run.reference.outcome.status !== 'ok' || run.actual.outcome.status !== 'ok') {
      return {
        reproduced: false,
        nodes,
        reason: [describeFailure(spec.reference, run.reference), describeFailure(spec.actual, run.actual)].join('; '),
      };
    }
    const comparison = this.compare(output, run.reference.outputs[0]?.get(output), run.actual.outputs[0]?.get(output));
    return { reproduced: comparison.verdict === target.verdict, nodes, comparison, reason: comparison.reason };
  }
}

/** The reduced model(s), run once more: its outputs go into the repro, and it proves the repro once more. */
async function confirmedRepro(
  search: ReductionSearch,
  output: string,
  cutReads: readonly string[],
): Promise<ReducedRepro> {
  const { spec, target } = search;
  const { ref, act, values } = await search.build(cutReads, output);
  const feeds = new Map(ref.inputs.map((n) => [n, values.get(n)!]));
  const last = await search.runner.runBoth(ref.model, act.model, feeds);
  const refOut = last.reference.outputs[0]?.get(output);
  const actOut = last.actual.outputs[0]?.get(output);
  const check = target.failure
    ? {
        verdict: last.actual.outcome.status === target.failure.status ? target.verdict : last.actual.outcome.status,
        reason: describeFailure(spec.actual, last.actual),
      }
    : search.compare(output, refOut, actOut);
  if (check.verdict !== target.verdict)
    search.notes.push(
      `the final model showed ${check.verdict} on its confirming run (${check.reason}): the discrepancy is not stable`,
    );
  return {
    reference: ref.model,
    ...(spec.mode === 'variants' ? { variant: act.model } : {}),
    inputs: ref.inputs,
    values,
    output,
    ...(refOut ? { referenceOutput: refOut } : {}),
    ...(actOut ? { actualOutput: actOut } : {}),
  };
}

/** Nothing reproduced smaller: the repro is the original model with its inputs and both sides' outputs. */
function originalRepro(spec: DiscrepancySpec, inputs: SideInputs, plain: SidePairRun, output: string): ReducedRepro {
  const refProto = spec.reference.model.proto;
  const names = modelSignature(refProto).inputs.map((i) => i.name);
  return {
    reference: refProto,
    ...(spec.mode === 'variants' ? { variant: spec.actual.model.proto } : {}),
    inputs: names,
    values: inputs.feeds,
    output,
    ...(plain.reference.outputs[0]?.get(output) ? { referenceOutput: plain.reference.outputs[0].get(output)! } : {}),
    ...(plain.actual.outputs[0]?.get(output) ? { actualOutput: plain.actual.outputs[0].get(output)! } : {}),
  };
}

/**
 * Tensors upstream of `output` (itself last), in topological order, that depend on a graph input:
 * constant folding chains (shapes of constants, Constant nodes) cannot show a data discrepancy and
 * would only break the bisection's ordering.
 */
function outputCandidates(order: GraphOrder, output: string): string[] {
  const { nodes } = coneOf(order, [output]);
  const dataDependent = new Set<string>(order.graphInputs);
  for (const n of order.nodes)
    if (n.reads.some((r) => dataDependent.has(r))) n.outputs.forEach((o) => dataDependent.add(o));
  const path = nodes
    .flatMap((i) => (NON_TENSOR_OUTPUT_OPS.has(order.nodes[i]!.opType) ? [] : order.nodes[i]!.outputs))
    .filter((t) => t !== output && dataDependent.has(t));
  return [...path, output];
}
