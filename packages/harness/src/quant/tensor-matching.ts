import { CrossrtError, type QuantMatch } from '@crossrt/core';
import type { ModelProto } from '@crossrt/model';
import { graphOrder, NON_TENSOR_OUTPUT_OPS, type OrderedNode } from '../graph/graph-order.js';
import {
  FUSABLE_ACTIVATIONS,
  layoutSlots,
  QOPERATOR_LAYOUTS,
  QUANT_ONLY_OPS,
  type QuantizedSlot,
} from './qoperator-slots.js';

/**
 * Pair the tensors of an int8 model (QDQ or QOperator) with the fp32 model it was quantized from.
 * Names alone fail: ORT's quantizer renames (`X_DequantizeLinear_Output`), QOperator graphs replace
 * nodes (QLinearConv for Conv) and fold activations in. So meanings are propagated from the graph
 * inputs in topological order of the int8 graph: QuantizeLinear/DequantizeLinear/Identity pass their
 * input's meaning on; any other node is the fp32 node with the same op (QOperator ops mapped to theirs)
 * reading the same matched activations at the same input positions (ties broken by weight dims, then
 * graph order), and its outputs mean that node's outputs, position by position. This is the name
 * matching of `localize --variant` (a tensor of the same name is the same tensor) extended by the
 * structure; a tensor keeping its fp32 name is reported as matched by name.
 */

/** Quantization parameters of a tensor: initializer names in the int8 model. */
export interface QuantRef {
  readonly scale: string;
  readonly zeroPoint?: string;
  readonly axis?: number;
}

export interface ActivationPair {
  readonly fp32: string;
  /** The int8 model's tensor to read (float, or integer to dequantize with `dequantize`). */
  readonly variant: string;
  readonly match: QuantMatch;
  readonly dequantize?: QuantRef;
}

export interface WeightPair {
  readonly fp32: string;
  /** The quantized initializer in the int8 model. */
  readonly variant: string;
  readonly quant: QuantRef;
  /** Bias whose scale is the product of these two scale initializers (QLinearConv, QGemm). */
  readonly scaleProduct?: readonly [string, string];
  readonly node: string;
  readonly opType: string;
  readonly kind: 'weight' | 'bias' | 'constant';
}

export interface QuantMatching {
  readonly format: 'qdq' | 'qoperator' | 'mixed';
  readonly activations: readonly ActivationPair[];
  readonly weights: readonly WeightPair[];
  /** fp32 node outputs left without a partner. */
  readonly unmatched: readonly string[];
  readonly notes: readonly string[];
}

type Meaning =
  | {
      readonly kind: 'act';
      readonly fp32: string;
      readonly repr: 'float' | 'quantized' | 'dequantized';
      readonly q?: QuantRef;
      readonly fused?: boolean;
      readonly quantizeLinear?: boolean;
    }
  | { readonly kind: 'const'; readonly init?: string; readonly q?: QuantRef };

const intAttr = (n: OrderedNode, name: string): number | undefined => {
  const a = n.proto.attribute.find((x) => x.name === name);
  return a ? Number(a.i) : undefined;
};

export function quantFormat(variant: ModelProto): QuantMatching['format'] {
  const nodes = variant.graph?.node ?? [];
  const quantOnly = nodes.filter((n) => QUANT_ONLY_OPS.has(n.opType));
  if (quantOnly.length === 0) {
    throw new CrossrtError(
      'MODEL_NOT_QUANTIZED',
      'the second model has no QuantizeLinear/DequantizeLinear and no QOperator node (QLinearConv, QLinearMatMul, QGemm, …): it is not an int8 model',
      'pass the fp32 model first and its int8 variant second, e.g. crossrt quant-error model.onnx model.int8.onnx; `crossrt quantize` makes one',
    );
  }
  const qop = quantOnly.some(
    (n) => n.opType in QOPERATOR_LAYOUTS || n.opType === 'ConvInteger' || n.opType === 'MatMulInteger',
  );
  const inits = new Set((variant.graph?.initializer ?? []).map((t) => t.name));
  const dqWeights = nodes.some(
    (n) =>
      n.opType === 'DequantizeLinear' &&
      inits.has(n.input[0] ?? '') &&
      nodes.some((m) => m.opType in QDQ_COMPUTE && m.input.includes(n.output[0]!)),
  );
  return qop ? (dqWeights ? 'mixed' : 'qoperator') : 'qdq';
}

const QDQ_COMPUTE: Readonly<Record<string, true>> = { Conv: true, MatMul: true, Gemm: true, ConvTranspose: true };

export function matchQuantizedTensors(fp32: ModelProto, variant: ModelProto): QuantMatching {
  const format = quantFormat(variant);
  const ref = graphOrder(fp32);
  const act = graphOrder(variant);
  const notes: string[] = [];
  const refConst = constantTensors(ref);
  const vInits = new Set(act.initializers);
  const meaning = new Map<string, Meaning>();
  for (const name of vInits) meaning.set(name, { kind: 'const', init: name });
  bindGraphInputs(ref, act, meaning);

  // fp32 nodes by (op, matched activation inputs at their positions).
  const byKey = new Map<string, OrderedNode[]>();
  const keyOf = (op: string, acts: readonly string[]) => `${op}\u0000${acts.join('\u0000')}`;
  for (const n of ref.nodes) {
    const acts = n.proto.input.flatMap((x, i) => (x && !refConst.has(x) ? [`${i}=${x}`] : []));
    const k = keyOf(n.opType, acts);
    byKey.set(k, [...(byKey.get(k) ?? []), n]);
  }
  const refConsumers = new Map<string, OrderedNode[]>();
  for (const n of ref.nodes) for (const r of n.reads) refConsumers.set(r, [...(refConsumers.get(r) ?? []), n]);
  const actConsumers = new Map<string, OrderedNode[]>();
  for (const n of act.nodes) for (const r of n.reads) actConsumers.set(r, [...(actConsumers.get(r) ?? []), n]);
  const refInitDims = new Map((fp32.graph?.initializer ?? []).map((t) => [t.name, t.dims.map(Number).join(',')]));
  const actInitDims = new Map((variant.graph?.initializer ?? []).map((t) => [t.name, t.dims.map(Number).join(',')]));

  const matched = new Set<number>();
  const weights: WeightPair[] = [];
  let unmatchedNodes = 0;
  for (const n of act.nodes) {
    const inputs = n.proto.input;
    if (n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear' || n.opType === 'Identity') {
      const src = meaning.get(inputs[0] ?? '');
      if (!src || !n.outputs[0]) continue;
      const q: QuantRef | undefined =
        n.opType === 'Identity'
          ? undefined
          : { scale: inputs[1]!, ...(inputs[2] ? { zeroPoint: inputs[2] } : {}), axis: intAttr(n, 'axis') ?? 1 };
      if (src.kind === 'const') {
        meaning.set(
          n.outputs[0],
          n.opType === 'DequantizeLinear' && src.init && vInits.has(src.init)
            ? { kind: 'const', init: src.init, ...(q ? { q } : {}) }
            : { kind: 'const' },
        );
      } else if (n.opType === 'Identity') {
        meaning.set(n.outputs[0], src);
      } else {
        meaning.set(n.outputs[0], {
          kind: 'act',
          fp32: src.fp32,
          repr: n.opType === 'QuantizeLinear' ? 'quantized' : 'dequantized',
          ...(n.opType === 'QuantizeLinear' ? { q, quantizeLinear: true } : {}),
          ...(src.fused ? { fused: true } : {}),
        });
      }
      continue;
    }
    if (
      n.opType === 'Constant' ||
      (inputs.some(Boolean) && n.reads.every((r) => meaning.get(r)?.kind === 'const') && !n.opType.startsWith('Random'))
    ) {
      for (const o of n.outputs) meaning.set(o, { kind: 'const' });
      continue;
    }
    const layout = n.domain === '' || n.domain === 'com.microsoft' ? QOPERATOR_LAYOUTS[n.opType] : undefined;
    const fp32Op = layout?.fp32Op ?? n.opType;
    const slots: readonly QuantizedSlot[] = layout
      ? layoutSlots(layout, inputs.length).filter((s) => s.value < inputs.length && inputs[s.value])
      : inputs.flatMap((x, i) => (x ? [{ fp32: i, value: i }] : []));
    const inMeanings = slots.map((s) => ({ s, m: meaning.get(inputs[s.value]!) }));
    if (inMeanings.some((x) => !x.m)) {
      unmatchedNodes++;
      continue;
    }
    const acts = inMeanings.flatMap(({ s, m }) => (m!.kind === 'act' ? [`${s.fp32}=${m!.fp32}`] : []));
    let candidates = (byKey.get(keyOf(fp32Op, acts)) ?? []).filter((c) => !matched.has(c.index));
    if (candidates.length > 1) {
      // Same op on the same activations (a ResNet downsample beside its block's first conv): the weights' dims tell them apart.
      const dimsOf = (c: OrderedNode) =>
        inMeanings
          .flatMap(({ s, m }) =>
            m!.kind === 'const' && m!.init
              ? [refInitDims.get(c.proto.input[s.fp32] ?? '') === actInitDims.get(m!.init) ? 1 : 0]
              : [],
          )
          .every(Boolean);
      const byDims = candidates.filter(dimsOf);
      if (byDims.length > 0) candidates = byDims;
    }
    const f = candidates[0];
    if (!f) {
      unmatchedNodes++;
      continue;
    }
    matched.add(f.index);
    for (const { s, m } of inMeanings) {
      const refName = f.proto.input[s.fp32];
      if (m!.kind !== 'const' || !refName || !ref.initializers.has(refName)) continue;
      const kind =
        (f.opType === 'Conv' || f.opType === 'Gemm') && s.fp32 === 2
          ? 'bias'
          : QDQ_COMPUTE[f.opType] && s.fp32 === 1
            ? 'weight'
            : 'constant';
      const base = { fp32: refName, node: f.label, opType: f.opType, kind } as const;
      if (layout && s.scaleProduct && vInits.has(inputs[s.value]!)) {
        weights.push({
          ...base,
          variant: inputs[s.value]!,
          quant: { scale: inputs[s.scaleProduct[1]]!, axis: 0 },
          scaleProduct: [inputs[s.scaleProduct[0]]!, inputs[s.scaleProduct[1]]!],
        });
      } else if (layout && s.scale !== undefined && vInits.has(inputs[s.value]!)) {
        const axis = layout.weightAxis
          ? layout.weightAxis(
              { transB: intAttr(n, 'transB') ?? 0 },
              (actInitDims.get(inputs[s.value]!) ?? '').split(',').map(Number),
            )
          : undefined;
        weights.push({
          ...base,
          variant: inputs[s.value]!,
          quant: {
            scale: inputs[s.scale]!,
            ...(s.zeroPoint !== undefined && inputs[s.zeroPoint] ? { zeroPoint: inputs[s.zeroPoint] } : {}),
            ...(axis !== undefined ? { axis } : {}),
          },
        });
      } else if (m!.init && m!.q) {
        weights.push({ ...base, variant: m!.init, quant: m!.q });
      }
    }
    n.outputs.forEach((v, k) => {
      const t = f.outputs[k];
      if (!t) return;
      const out =
        layout?.output && k === 0 && inputs[layout.output.scale]
          ? {
              repr: 'quantized' as const,
              q: {
                scale: inputs[layout.output.scale]!,
                ...(inputs[layout.output.zeroPoint] ? { zeroPoint: inputs[layout.output.zeroPoint] } : {}),
              },
            }
          : { repr: 'float' as const };
      const fused = k === 0 ? fusedActivation(f, t, v) : undefined;
      if (fused) matched.add(fused.index);
      meaning.set(v, { kind: 'act', fp32: fused ? fused.outputs[0]! : t, ...out, ...(fused ? { fused: true } : {}) });
    });
  }

  /** The Relu/Clip the fp32 graph applies to t alone, when no int8 node applies it to v: folded into v's producer. */
  function fusedActivation(f: OrderedNode, t: string, v: string): OrderedNode | undefined {
    const readers = refConsumers.get(t) ?? [];
    const c = readers[0];
    if (
      readers.length !== 1 ||
      !c ||
      !FUSABLE_ACTIVATIONS.has(c.opType) ||
      matched.has(c.index) ||
      ref.graphOutputs.includes(t) ||
      f.opType === c.opType
    )
      return undefined;
    const seen = new Set<string>();
    const stack = [v];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      for (const r of actConsumers.get(x) ?? []) {
        const op = QOPERATOR_LAYOUTS[r.opType]?.fp32Op ?? r.opType;
        if (op === c.opType) return undefined;
        if (r.opType === 'QuantizeLinear' || r.opType === 'DequantizeLinear' || r.opType === 'Identity')
          stack.push(...r.outputs);
      }
    }
    return c;
  }

  // One partner per fp32 tensor: the dequantized value readers see, else a QOperator output, else the float tensor.
  const rank = (m: Extract<Meaning, { kind: 'act' }>) =>
    m.repr === 'dequantized' ? 0 : m.repr === 'quantized' && m.q ? 1 : m.repr === 'float' ? 2 : 3;
  const best = new Map<string, { v: string; m: Extract<Meaning, { kind: 'act' }> }>();
  for (const [v, m] of meaning) {
    if (m.kind !== 'act' || (m.repr === 'quantized' && !m.q)) continue;
    const prev = best.get(m.fp32);
    if (!prev || rank(m) < rank(prev.m)) best.set(m.fp32, { v, m });
  }
  const activations: ActivationPair[] = [];
  const orderedRef = [
    ...ref.graphInputs,
    ...ref.nodes.filter((n) => !NON_TENSOR_OUTPUT_OPS.has(n.opType)).flatMap((n) => n.outputs),
  ];
  for (const t of orderedRef) {
    const b = best.get(t);
    if (!b) continue;
    // A QuantizeLinear output read by QOperator ops only is dequantized here with its own parameters.
    const match: QuantMatch = b.m.fused
      ? 'fused'
      : b.m.repr === 'dequantized' || b.m.quantizeLinear
        ? 'dequantize-linear'
        : b.m.repr === 'quantized'
          ? 'qoperator'
          : b.v === t
            ? 'name'
            : 'structure';
    activations.push({
      fp32: t,
      variant: b.v,
      match,
      ...(b.m.repr === 'quantized' && b.m.q ? { dequantize: b.m.q } : {}),
    });
  }
  const pairedRef = new Set(activations.map((a) => a.fp32));
  const unmatched = ref.nodes
    .filter((n) => !NON_TENSOR_OUTPUT_OPS.has(n.opType))
    .flatMap((n) => n.outputs)
    .filter((t) => !pairedRef.has(t) && !refConst.has(t));
  if (unmatchedNodes > 0)
    notes.push(
      `${unmatchedNodes} int8 node(s) have no fp32 counterpart with the same op reading the same tensors; their outputs and everything computed only from them are not compared`,
    );
  // Graph inputs pair by definition: something computed must pair too, or the models share nothing.
  if (activations.every((a) => ref.graphInputs.has(a.fp32))) {
    throw new CrossrtError(
      'QUANT_NO_MATCHED_TENSORS',
      'no tensor of the int8 model could be paired with a tensor of the fp32 model (by name, through QuantizeLinear/DequantizeLinear, or by graph structure)',
      'check that the second model was quantized from the first (same graph inputs, same op sequence)',
    );
  }
  return { format, activations, weights, unmatched, notes };
}

/**
 * Tensors fixed before any input arrives: initializers, Constant outputs, and what nodes reading only
 * those compute (exporters copy a shared zero bias through Identity nodes, torch.onnx does).
 */
function constantTensors(order: ReturnType<typeof graphOrder>): Set<string> {
  const out = new Set(order.initializers);
  for (const n of order.nodes) {
    if (
      n.opType === 'Constant' ||
      (n.reads.length > 0 && n.reads.every((r) => out.has(r)) && !n.opType.startsWith('Random'))
    )
      for (const o of n.outputs) out.add(o);
  }
  return out;
}

/** Graph inputs pair by name, else by position when both graphs have as many; anything else is two different models. */
function bindGraphInputs(
  ref: ReturnType<typeof graphOrder>,
  act: ReturnType<typeof graphOrder>,
  meaning: Map<string, Meaning>,
): void {
  const refInputs = [...ref.graphInputs];
  const actInputs = [...act.graphInputs];
  const byName = actInputs.every((i) => ref.graphInputs.has(i));
  if (!byName && refInputs.length !== actInputs.length) {
    throw new CrossrtError(
      'QUANT_MODELS_MISMATCHED',
      `the models have different graph inputs (fp32: ${refInputs.join(', ') || 'none'}; int8: ${actInputs.join(', ') || 'none'})`,
      'pass the fp32 model and the int8 model quantized from it',
    );
  }
  if (ref.graphOutputs.length !== act.graphOutputs.length) {
    throw new CrossrtError(
      'QUANT_MODELS_MISMATCHED',
      `the models have ${ref.graphOutputs.length} and ${act.graphOutputs.length} graph outputs`,
      'pass the fp32 model and the int8 model quantized from it',
    );
  }
  actInputs.forEach((name, i) =>
    meaning.set(name, { kind: 'act', fp32: byName ? name : refInputs[i]!, repr: 'float' }),
  );
}
