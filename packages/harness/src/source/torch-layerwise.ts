import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  Comparison,
  HostTensor,
  Localization,
  NodeDivergence,
  TensorDivergence,
  TolerancePolicy,
} from '@crossrt/core';
import { compareOutput, formatNumber, resolveTolerance } from '@crossrt/compare';
import { encodeModel, exposeTensors, type ModelProto } from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import type { TorchModuleCall } from '@crossrt/python-bridge';
import { executeOnTarget } from '../execution/execute-on-target.js';
import type { TargetPool } from '../execution/target-pool.js';
import { comparedTorchOutputs, scopeCalls, type ScopedCall } from './module-scopes.js';

/** Tensors exposed per run on the target (bounds what one run returns). */
export const SOURCE_CHUNK_SIZE = 128;

/**
 * Below this SNR a module's output diverges even when every element is within the tolerance. fp32
 * runtimes reorder sums, which costs SNR: measured on resnet18, mobilenet_v2, mobilenet_v3_small and
 * squeezenet1_1 exports (random weights), every module stayed at 116–146 dB on ort-node:cpu. A
 * converter fault is systematic: a HardSigmoid beta off by 2e-5 drops its module from 139 to 88 dB
 * while the classifier output still passes rtol 1e-3 — the fault the elementwise check cannot see.
 */
export const DEFAULT_LAYER_SNR_DB = 100;

export interface SourceLocalizeInput {
  readonly proto: ModelProto;
  readonly calls: readonly TorchModuleCall[];
  /** The tensors the forward hooks captured, by key (`c3_o0`). */
  readonly captured: ReadonlyMap<string, HostTensor>;
  /** The input set the capture was made with. */
  readonly feeds: ReadonlyMap<string, HostTensor>;
  readonly target: TargetDescriptor;
  readonly pool: TargetPool;
  readonly policy: TolerancePolicy;
  /** SNR floor for module outputs (default DEFAULT_LAYER_SNR_DB). */
  readonly minSnrDb?: number;
  readonly chunkSize?: number;
}

/**
 * Layer-wise against the source: every module call's output (and inputs) as PyTorch computed them,
 * against the ONNX tensors of the module's export scope as the target computed them. The culprit is
 * the first module, in completion order, whose output diverges while its inputs agree and no module
 * inside it already explains the divergence. Modules the exporter folded away (a BatchNorm fused into
 * its Conv) are compared through the call they were folded into, and named with it.
 */
export async function localizeAgainstSource(p: SourceLocalizeInput): Promise<Localization> {
  const sameTensor = (a: string, b: string) => tensorsEqual(p.captured.get(a), p.captured.get(b));
  const placed = scopeCalls(p.proto, p.calls, sameTensor);
  const graphInputs = new Set((p.proto.graph?.input ?? []).map((i) => i.name));
  const wanted = [
    ...new Set(placed.filter((c) => c.nodes > 0).flatMap((c) => [...c.outputCandidates, ...c.inputCandidates])),
  ].filter((t) => !graphInputs.has(t));
  const notes: string[] = [];
  const { values, chunks, runs, failed } = await exposeAndRun(p, wanted);
  if (failed.length > 0)
    notes.push(
      `${failed.length} tensor(s) could not be exposed on ${p.target.id} (e.g. ${failed.slice(0, 3).join(', ')})`,
    );
  const onnxValue = (t: string) => values.get(t) ?? p.feeds.get(t);
  const floor = p.minSnrDb ?? DEFAULT_LAYER_SNR_DB;

  const compare = (onnx: string, actual: HostTensor | undefined, expected: HostTensor | undefined): Comparison =>
    compareOutput({
      output: onnx,
      target: p.target.id,
      reference: 'torch',
      actual,
      expected,
      policy: p.policy,
      policyBaseSource: 'cli',
    });
  const tolerance = resolveTolerance(
    { output: '*', dtype: 'float32', target: p.target.id, reference: 'torch' },
    p.policy,
    'cli',
  );
  const judged = new Map<number, NodeDivergence>();
  const ancestors = (i: number): number[] => {
    const out: number[] = [];
    for (let a = p.calls[i]!.parent; a >= 0; a = p.calls[a]!.parent) out.push(a);
    return out;
  };
  const originsInside = new Set<number>();
  let culprit: Localization['culprit'] = null;
  const otherOrigins: string[] = [];
  const byOrder = [...placed].filter((c) => c.fusedInto === undefined).sort((a, b) => a.call.order - b.call.order);
  for (const c of byOrder) {
    const outs = pairByDims(comparedTorchOutputs(placed, c), c.outputCandidates, p.captured, onnxValue, true);
    const ins = pairByDims(c.call.inputs, c.inputCandidates, p.captured, onnxValue, c.call.inputs.length === 1);
    const outputs = outs.map(([torchKey, onnx]) =>
      divergence(compare(onnx, onnxValue(onnx), p.captured.get(torchKey)), floor),
    );
    const inputs = ins.map(([torchKey, onnx]) =>
      divergence(compare(onnx, onnxValue(onnx), p.captured.get(torchKey)), floor),
    );
    const badInputs = inputs.filter(diverges).map((t) => t.tensor);
    let status: NodeDivergence['status'];
    if (outputs.length === 0) status = 'unknown';
    else if (!outputs.some(diverges)) status = 'agree';
    else if (badInputs.length > 0 || originsInside.has(c.index)) status = 'diverged';
    else status = culprit ? 'origin' : 'culprit';
    if (status === 'culprit' || status === 'origin') for (const a of ancestors(c.index)) originsInside.add(a);
    const name = callLabel(c);
    const fusedModules = c.fused.map((f) => placed[f]!.call.module);
    const abs = outputs.map((o) => o.maxAbsError).filter((x): x is number => x !== undefined);
    const rel = outputs.map((o) => o.maxRelError).filter((x): x is number => x !== undefined);
    const inAbs = inputs.map((o) => o.maxAbsError).filter((x): x is number => x !== undefined);
    const node: NodeDivergence = {
      index: judged.size,
      name,
      opType: c.call.type,
      status,
      outputs: outputs.length ? outputs : [{ tensor: c.scope, verdict: 'unavailable', reason: unmatchedReason(c) }],
      ...(badInputs.length ? { divergentInputs: badInputs } : {}),
      ...(inAbs.length ? { inputMaxAbsError: Math.max(...inAbs) } : {}),
      ...(abs.length ? { maxAbsError: Math.max(...abs) } : {}),
      ...(rel.length ? { maxRelError: Math.max(...rel) } : {}),
      scope: `${c.scope}/`,
      onnxNodes: c.nodes,
      ...(fusedModules.length ? { fusedModules } : {}),
    };
    judged.set(c.index, node);
    if (status === 'culprit') culprit = describeCulprit(node, fusedModules);
    if (status === 'origin') otherOrigins.push(name);
  }
  const nodes = [...judged.values()];
  const matched = nodes
    .filter((n) => n.status !== 'unknown')
    .reduce((s, n) => s + 1 + (n.fusedModules?.length ?? 0), 0);
  const folded = placed.filter((c) => c.fusedInto !== undefined).length;
  if (folded > 0)
    notes.push(
      `${folded} module call(s) have no ONNX nodes of their own and were compared through the call they were folded into (e.g. ${placed
        .filter((c) => c.fusedInto !== undefined)
        .slice(0, 2)
        .map((c) => `${c.call.module} into ${placed[c.fusedInto!]!.call.module}`)
        .join(', ')})`,
    );
  return {
    mode: 'source',
    reference: 'torch',
    actual: p.target.id,
    tolerance: { ...tolerance, minSnrDb: floor, rules: [...(tolerance.rules ?? []), `layer-snr-floor ${floor} dB`] },
    exposedTensors: wanted.length,
    chunks,
    runs,
    culprit,
    otherOrigins,
    nodes,
    notes,
    coverage: { matched, total: p.calls.length },
  };
}

/** Expose `names` in chunks, run each exposed model once on the target, keep the values. */
async function exposeAndRun(p: SourceLocalizeInput, names: readonly string[]) {
  const values = new Map<string, HostTensor>();
  const failed: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'crossrt-layerwise-'));
  let chunks = 0;
  let runs = 0;
  const feeds = Object.fromEntries(p.feeds);
  const runChunk = async (chunk: readonly string[]): Promise<void> => {
    chunks++;
    runs++;
    const path = join(dir, `exposed-${chunks}.onnx`);
    await writeFile(path, encodeModel(exposeTensors(p.proto, chunk).model));
    const exec = await executeOnTarget(p.pool, p.target, path, [feeds], p.proto.graph?.node.length ?? 0);
    await rm(path, { force: true });
    if (exec.outcome.status !== 'ok') {
      // One tensor the runtime refuses as an output must not hide the others: halve.
      if (chunk.length > 1) {
        const mid = Math.ceil(chunk.length / 2);
        await runChunk(chunk.slice(0, mid));
        await runChunk(chunk.slice(mid));
      } else failed.push(chunk[0]!);
      return;
    }
    for (const t of chunk) {
      const v = exec.outputs[0]?.get(t);
      if (v) values.set(t, v);
    }
  };
  try {
    const size = Math.max(1, p.chunkSize ?? SOURCE_CHUNK_SIZE);
    for (let i = 0; i < names.length; i += size) await runChunk(names.slice(i, i + size));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { values, chunks, runs, failed };
}

/**
 * Pair torch tensors with ONNX candidates of the same dims. One torch tensor takes the last candidate
 * that fits (the scope's final value; earlier ones escape for side uses), several take them in order.
 */
function pairByDims(
  torchKeys: readonly string[],
  candidates: readonly string[],
  captured: ReadonlyMap<string, HostTensor>,
  onnxValue: (t: string) => HostTensor | undefined,
  last: boolean,
): [string, string][] {
  const pairs: [string, string][] = [];
  const used = new Set<string>();
  const fits = (k: string, t: string) => {
    const a = captured.get(k);
    const b = onnxValue(t);
    return !!a && !!b && !used.has(t) && a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);
  };
  for (const k of torchKeys) {
    const pool = last && torchKeys.length === 1 ? [...candidates].reverse() : candidates;
    // A single tensor whose exported counterpart has other dims (a flipped ceil_mode) is still
    // paired, with the scope's final tensor, so that it shows as a `shape` divergence.
    const t =
      pool.find((c) => fits(k, c)) ??
      (last && torchKeys.length === 1 ? pool.find((c) => !used.has(c) && onnxValue(c)) : undefined);
    if (t) {
      used.add(t);
      pairs.push([k, t]);
    }
  }
  return pairs;
}

function tensorsEqual(a: HostTensor | undefined, b: HostTensor | undefined): boolean {
  if (!a || !b || a.dtype !== b.dtype || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i]))
    return false;
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

function callLabel(c: ScopedCall): string {
  const k = /_(\d+)$/.exec(c.call.segment);
  return k ? `${c.call.module} (call ${Number(k[1]) + 1})` : c.call.module;
}

function unmatchedReason(c: ScopedCall): string {
  if (c.nodes === 0)
    return `no ONNX node is named in scope ${c.scope}/ (exported as nothing, or folded into a call it does not directly follow)`;
  return `none of the scope's ${c.outputCandidates.length} boundary tensor(s) has the module output's dims`;
}

const diverges = (t: TensorDivergence) => t.verdict !== 'pass' && t.verdict !== 'unavailable';

function divergence(c: Comparison, minSnrDb: number): TensorDivergence {
  const m = c.metrics;
  const snr = m?.snrDb ?? undefined;
  const quiet = c.verdict === 'pass' && snr !== undefined && snr !== null && snr < minSnrDb && m?.exact !== true;
  const verdict = quiet ? 'mismatch' : c.verdict;
  const reason = quiet
    ? `SNR ${snr.toFixed(1)} dB is below the layer floor of ${minSnrDb} dB (every element is within tolerance, but the error is systematic)`
    : c.reason;
  return {
    tensor: c.output,
    verdict,
    ...(verdict !== 'pass' ? { reason } : {}),
    ...(c.dtype.reference ? { dtype: c.dtype.reference } : {}),
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
    ...(m?.snrDb !== undefined && m.snrDb !== null ? { snrDb: m.snrDb } : {}),
  };
}

function describeCulprit(n: NodeDivergence, fused: readonly string[]): NonNullable<Localization['culprit']> {
  const bad = n.outputs.filter(diverges);
  const inputs =
    n.inputMaxAbsError === undefined
      ? 'no input of it could be paired, so the divergence may start above it'
      : n.inputMaxAbsError === 0
        ? 'its inputs agree exactly'
        : `its inputs agree within tolerance (max abs ${formatNumber(n.inputMaxAbsError)})`;
  const folded = fused.length
    ? ` (the exporter folded ${fused.join(', ')} into it, so the fault may be in either)`
    : '';
  return {
    node: n.name,
    index: n.index,
    opType: n.opType,
    outputs: bad.map((o) => o.tensor),
    reason: `module ${n.name} (${n.opType})${folded} is the first whose output diverges from PyTorch: ${bad[0]?.reason ?? ''}; ${inputs}`,
  };
}
