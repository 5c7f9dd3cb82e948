import type {
  Comparison,
  HostTensor,
  Localization,
  NodeDivergence,
  Report,
  RunOutcome,
  TensorDivergence,
  TolerancePolicy,
} from '@crossrt/core';
import { formatNumber } from '@crossrt/compare';
import { exposeTensors, type ModelProto } from '@crossrt/model';
import { withoutOutputTypes } from './cut-model.js';
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
} from './discrepancy-sides.js';
import { graphOrder, NON_TENSOR_OUTPUT_OPS, type GraphOrder, type OrderedNode } from '../graph/graph-order.js';
import { judgePlacement } from '../placement/placement-verdict.js';
import { variantParameterDiffs } from './variant-diff.js';

/** Up to this many tensors are exposed in one run; larger graphs are walked in chunks of this size. */
export const DEFAULT_CHUNK_SIZE = 128;
/** Bytes of exposed tensors (both sides) one run may return before later chunks get smaller. */
export const DEFAULT_MAX_CHUNK_BYTES = 512 * 2 ** 20;

export interface LocalizeOptions extends DiscrepancyOptions {
  /** Tensors exposed per run (bounds the memory one run's outputs take). */
  readonly chunkSize?: number;
  /** Bytes of exposed outputs per run (both sides) above which later chunks shrink. */
  readonly maxChunkBytes?: number;
}

export interface LocalizeResult {
  readonly localization: Localization;
  /** The final outputs of the plain (unexposed) model, compared. */
  readonly comparisons: readonly Comparison[];
}

/**
 * `crossrt localize`: run the plain model on both sides, then expose intermediate tensors (all at once,
 * or in chunks along the topological order), compare each tensor, and name the culprit: the first node
 * whose output diverges while every activation it reads agrees. In variant mode initializers and
 * attributes may legitimately differ: they count as part of their node (listed in `parameterDiffs`).
 */
export async function localizeDiscrepancy(options: LocalizeOptions): Promise<Report> {
  return runDiscrepancySearch('localize', options, async (spec, inputs, runner) => {
    const { localization, comparisons, outcomes } = await localizeWith(
      spec,
      inputs,
      runner,
      tolerancePolicy(options),
      options.chunkSize ?? DEFAULT_CHUNK_SIZE,
      options.maxChunkBytes,
    );
    const notes =
      spec.mode === 'variants'
        ? { notes: [`variant ${spec.actual.model.path} compared against ${spec.reference.model.path}`] }
        : {};
    return { tolerance: localization.tolerance, outcomes, comparisons, extra: { localization, ...notes } };
  });
}

/** The localization itself, on prepared sides and a shared runner (tests call it directly). */
export async function localizeWith(
  spec: DiscrepancySpec,
  inputs: SideInputs,
  runner: SideRunner,
  policy: TolerancePolicy,
  chunkSize: number,
  maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES,
) {
  const refProto = spec.reference.model.proto;
  const order = graphOrder(refProto);
  const notes: string[] = [];
  const compare = sideComparer(spec, policy);

  // 1. The plain model: the verdict users saw, before exposure changes what the runtime may fuse.
  const plain = await runner.runBoth(refProto, spec.actual.model.proto, inputs.feeds);
  const outcomes = [plain.reference.outcome, plain.actual.outcome];
  const comparisons =
    plain.reference.outcome.status === 'ok' && plain.actual.outcome.status === 'ok'
      ? compareGraphOutputs(refProto, plain, compare)
      : [];
  if (comparisons.length === 0) {
    notes.push(
      `the plain model did not run on both sides (${[describeFailure(spec.reference, plain.reference), describeFailure(spec.actual, plain.actual)].join('; ')}): nothing to compare numerically; \`crossrt reduce\` shrinks a model one side fails on`,
    );
  }

  // 2. Which tensors can be compared: node outputs present in both graphs, tensor-valued.
  const exposable = comparableTensors(spec, order, notes);

  // 3. Expose and compare, chunk by chunk: only metrics are kept, tensors are dropped after each chunk.
  const exposure = new ChunkedExposure(spec, inputs, runner, compare);
  if (comparisons.length > 0)
    await exposure.compareAll(exposable, Math.max(1, Math.floor(chunkSize)), maxChunkBytes, notes);

  // 4. Judge nodes in topological order.
  const paramDiffs =
    spec.mode === 'variants' ? variantParameterDiffs(refProto, spec.actual.model.proto) : new Map<string, string[]>();
  const nodes = judgeNodes(order, exposure.results, paramDiffs);
  const origins = nodes.filter((n) => n.status === 'culprit' || n.status === 'origin');
  const culpritNode = nodes.find((n) => n.status === 'culprit');
  const culprit = culpritNode
    ? describeCulprit(culpritNode, order.nodes[culpritNode.index]!, order.initializers)
    : null;
  notes.push(...verdictNotes(comparisons, culprit, outcomes));
  const localization: Localization = {
    mode: spec.mode,
    reference: spec.reference.label,
    actual: spec.actual.label,
    tolerance: { ...floatTolerance(spec, policy) },
    exposedTensors: exposable.length,
    chunks: exposure.chunks,
    runs: runner.runs,
    culprit,
    otherOrigins: origins.filter((n) => n.status === 'origin').map((n) => n.name),
    nodes,
    notes,
  };
  return { localization, comparisons, outcomes };
}

/** Node outputs that can be exposed and compared on both sides; what cannot is said in `notes`. */
function comparableTensors(spec: DiscrepancySpec, order: GraphOrder, notes: string[]): string[] {
  const actualTensors = new Set((spec.actual.model.proto.graph?.node ?? []).flatMap((n) => n.output));
  const unpaired: string[] = [];
  const exposable: string[] = [];
  for (const n of order.nodes) {
    for (const t of n.outputs) {
      if (NON_TENSOR_OUTPUT_OPS.has(n.opType)) continue;
      if (spec.mode === 'variants' && !actualTensors.has(t)) unpaired.push(t);
      else exposable.push(t);
    }
  }
  if (unpaired.length > 0)
    notes.push(
      `${unpaired.length} tensor(s) of the reference graph do not exist in the variant and are not compared (e.g. ${unpaired.slice(0, 3).join(', ')})`,
    );
  if (unpaired.length > exposable.length) {
    notes.push(
      'most tensor names differ between the variants: they do not share a graph structure, so a culprit named here only covers the few tensors they share',
    );
  }
  const nonTensor = order.nodes.filter((n) => NON_TENSOR_OUTPUT_OPS.has(n.opType));
  if (nonTensor.length > 0)
    notes.push(
      `${nonTensor.length} node(s) produce sequences/optionals and are not compared (${nonTensor
        .slice(0, 3)
        .map((n) => n.label)
        .join(', ')})`,
    );
  const controlFlow = order.nodes.filter((n) => n.controlFlow);
  if (controlFlow.length > 0) {
    notes.push(
      `${controlFlow.length} control-flow node(s) (${controlFlow
        .slice(0, 4)
        .map((n) => `${n.label} ${n.opType}`)
        .join(', ')}) hold subgraphs whose inner tensors cannot be exposed: each is judged as one unit`,
    );
  }
  return exposable;
}

/** Intermediate tensors exposed on both sides a chunk per run, each compared; only the metrics are kept. */
class ChunkedExposure {
  readonly results = new Map<string, TensorDivergence>();
  chunks = 0;
  private lastChunkBytes = 0;

  constructor(
    private readonly spec: DiscrepancySpec,
    private readonly inputs: SideInputs,
    private readonly runner: SideRunner,
    private readonly compare: SideComparer,
  ) {}

  /** Memory per run is the exposed tensors on both sides: later chunks shrink when one passes the budget. */
  async compareAll(exposable: readonly string[], size: number, maxChunkBytes: number, notes: string[]): Promise<void> {
    let chunk = size;
    for (let i = 0; i < exposable.length;) {
      const names = exposable.slice(i, i + chunk);
      this.lastChunkBytes = 0;
      await this.compareChunk(names);
      i += names.length;
      if (this.lastChunkBytes > maxChunkBytes && chunk > 1) {
        const next = Math.max(1, Math.floor((chunk * maxChunkBytes) / this.lastChunkBytes));
        notes.push(
          `a chunk of ${chunk} tensor(s) returned ${formatBytes(this.lastChunkBytes)} (budget ${formatBytes(maxChunkBytes)}); later chunks hold ${next}`,
        );
        chunk = next;
      }
    }
  }

  private async compareChunk(names: readonly string[], untyped = false): Promise<void> {
    const { spec } = this;
    this.chunks++;
    const expose = (proto: ModelProto) =>
      untyped ? withoutOutputTypes(exposeTensors(proto, names), names) : exposeTensors(proto, names).model;
    const refExposed = expose(spec.reference.model.proto);
    const run = await this.runner.runBoth(
      refExposed,
      spec.mode === 'targets' ? refExposed : expose(spec.actual.model.proto),
      this.inputs.feeds,
    );
    const ok = run.reference.outcome.status === 'ok' && run.actual.outcome.status === 'ok';
    if (!ok) {
      // An element type guessed wrong (e.g. after an If whose branches declare nothing) fails session
      // creation: leave the added outputs untyped once and let the runtime infer them.
      if (!untyped && (run.reference.outcome.status === 'load-error' || run.actual.outcome.status === 'load-error')) {
        await this.compareChunk(names, true);
        return;
      }
      // A tensor the runtime still refuses as an output (or a crash) must not hide the others: halve.
      if (names.length > 1) {
        const mid = Math.ceil(names.length / 2);
        await this.compareChunk(names.slice(0, mid), untyped);
        await this.compareChunk(names.slice(mid), untyped);
        return;
      }
      const failed =
        run.reference.outcome.status !== 'ok'
          ? describeFailure(spec.reference, run.reference)
          : describeFailure(spec.actual, run.actual);
      this.results.set(names[0]!, {
        tensor: names[0]!,
        verdict: 'unavailable',
        reason: `exposing it failed: ${failed}`,
      });
      return;
    }
    for (const name of names)
      this.results.set(
        name,
        tensorDivergence(this.compare(name, run.reference.outputs[0]?.get(name), run.actual.outputs[0]?.get(name))),
      );
    this.lastChunkBytes += [run.reference, run.actual].reduce(
      (sum, r) => sum + [...(r.outputs[0]?.values() ?? [])].reduce((s2, t) => s2 + tensorBytes(t), 0),
      0,
    );
  }
}

/** What the plain verdict and the culprit say together, and where the culprit ran on a GPU side. */
function verdictNotes(
  comparisons: readonly Comparison[],
  culprit: Localization['culprit'],
  outcomes: readonly RunOutcome[],
): string[] {
  const notes: string[] = [];
  const plainDiverges = comparisons.some((c) => c.verdict !== 'pass');
  if (comparisons.length > 0 && plainDiverges && !culprit) {
    notes.push(
      'the final outputs diverge in the plain model but no exposed tensor does: the discrepancy depends on optimizations (e.g. fusions) that exposing intermediates prevents; try `crossrt reduce`, which cuts instead of exposing',
    );
  }
  if (comparisons.length > 0 && !plainDiverges && culprit) {
    notes.push(
      'the plain model agrees within tolerance but an exposed intermediate diverges: the divergence is absorbed downstream (or exposure changed what the runtime fuses)',
    );
  }
  if (culprit) {
    for (const o of outcomes) {
      const placed = o.placement?.fallbackNodes.find((f) => f.node === culprit.node);
      if (placed && judgePlacement(o).verdict !== 'pass')
        notes.push(
          `on ${o.target} the culprit ran on ${placed.ep} (GPU fallback), so its numbers come from that provider's kernel`,
        );
    }
  }
  return notes;
}

function formatBytes(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}

function tensorBytes(t: HostTensor): number {
  return t.dtype === 'string'
    ? (t.data as string[]).reduce((n, x) => n + x.length, 0)
    : (t.data as ArrayLike<unknown> & { byteLength: number }).byteLength;
}

function tensorDivergence(c: Comparison): TensorDivergence {
  const m = c.metrics;
  return {
    tensor: c.output,
    verdict: c.verdict,
    ...(c.verdict !== 'pass' ? { reason: c.reason } : {}),
    ...((c.dtype.reference ?? c.dtype.actual) ? { dtype: c.dtype.reference ?? c.dtype.actual } : {}),
    ...(c.dims.reference ? { dims: c.dims.reference } : {}),
    ...(m
      ? {
          elements: m.elements,
          maxAbsError: m.maxAbsError,
          maxRelError: m.maxRelError,
          mismatches: m.allcloseMismatches,
        }
      : {}),
    ...(m?.cosineSimilarity !== undefined ? { cosineSimilarity: m.cosineSimilarity } : {}),
  };
}

const diverges = (t: TensorDivergence | undefined) =>
  t !== undefined && t.verdict !== 'pass' && t.verdict !== 'unavailable';

/**
 * The culprit rule: a node is an origin when one of its outputs diverges and every activation it reads
 * (graph inputs and initializers are identical on both sides; upstream outputs must pass) agrees.
 * Inputs that could not be compared do not disqualify a node but are listed, since the divergence may
 * then start above them.
 */
export function judgeNodes(
  order: GraphOrder,
  results: ReadonlyMap<string, TensorDivergence>,
  paramDiffs: ReadonlyMap<string, readonly string[]>,
): NodeDivergence[] {
  let culpritSeen = false;
  return order.nodes.map((n): NodeDivergence => {
    const outputs = n.outputs.map(
      (t) => results.get(t) ?? { tensor: t, verdict: 'unavailable' as const, reason: 'not exposed' },
    );
    const compared = outputs.filter((o) => o.verdict !== 'unavailable');
    const activations = n.reads.filter((r) => !order.initializers.has(r) && !order.graphInputs.has(r));
    const badInputs = activations.filter((r) => diverges(results.get(r)));
    const unknownInputs = activations.filter((r) => !results.has(r) || results.get(r)!.verdict === 'unavailable');
    let status: NodeDivergence['status'];
    if (compared.length === 0) status = 'unknown';
    else if (!compared.some(diverges)) status = 'agree';
    else if (badInputs.length > 0) status = 'diverged';
    else if (!culpritSeen) {
      status = 'culprit';
      culpritSeen = true;
    } else status = 'origin';
    const abs = compared.map((o) => o.maxAbsError).filter((x): x is number => x !== undefined);
    const rel = compared.map((o) => o.maxRelError).filter((x): x is number => x !== undefined);
    const inAbs = activations.map((r) => results.get(r)?.maxAbsError).filter((x): x is number => x !== undefined);
    const diffs = paramDiffs.get(n.outputs[0] ?? '') ?? [];
    return {
      index: n.index,
      name: n.label,
      opType: n.opType,
      ...(n.domain ? { domain: n.domain } : {}),
      status,
      outputs,
      ...(badInputs.length + unknownInputs.length > 0 ? { divergentInputs: [...badInputs, ...unknownInputs] } : {}),
      ...(inAbs.length ? { inputMaxAbsError: Math.max(...inAbs) } : {}),
      ...(abs.length ? { maxAbsError: Math.max(...abs) } : {}),
      ...(rel.length ? { maxRelError: Math.max(...rel) } : {}),
      ...(n.controlFlow ? { controlFlow: true } : {}),
      ...(diffs.length ? { parameterDiffs: [...diffs] } : {}),
    };
  });
}

function describeCulprit(
  d: NodeDivergence,
  n: OrderedNode,
  initializers: ReadonlySet<string>,
): NonNullable<Localization['culprit']> {
  const bad = d.outputs.filter(diverges);
  const first = bad[0]!;
  const acts = n.reads.filter((r) => !d.divergentInputs?.includes(r) && !initializers.has(r));
  const weights = n.reads.filter((r) => initializers.has(r));
  const activations =
    n.reads.length === 0
      ? 'it reads no tensors'
      : acts.length
        ? `its inputs (${acts.join(', ')}) agree ${d.inputMaxAbsError ? `within tolerance but not exactly (max abs ${formatNumber(d.inputMaxAbsError)}), so it may only amplify a smaller upstream difference (\`crossrt reduce --output ${d.outputs.find(diverges)?.tensor ?? ''}\` feeds both sides identical inputs and tells)` : 'exactly'}${weights.length ? `; weights ${weights.join(', ')}` : ''}`
        : weights.length
          ? `it reads only weights (${weights.join(', ')})`
          : 'none of its inputs could be compared';
  const unknown = d.divergentInputs?.length
    ? `; input(s) ${d.divergentInputs.join(', ')} could not be compared, so the divergence may start above them`
    : '';
  const params = d.parameterDiffs?.length ? `; the variant changes ${d.parameterDiffs.join(', ')}` : '';
  const unit = n.controlFlow ? ` (control-flow node: its subgraph is judged as one unit)` : '';
  return {
    node: d.name,
    index: d.index,
    opType: d.opType,
    outputs: bad.map((o) => o.tensor),
    reason: `output ${first.tensor} ${first.verdict}: ${first.reason ?? ''}; ${activations}${unknown}${params}${unit}`,
    ...(n.controlFlow ? { controlFlow: true } : {}),
  };
}
