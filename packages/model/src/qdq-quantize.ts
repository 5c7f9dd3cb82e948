import { clone, create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  ModelProtoSchema,
  NodeProtoSchema,
  type GraphProto,
  type ModelProto,
  type NodeProto,
} from 'onnx-buf';
import { CrossrtError, makeTensor, type HostTensor } from '@crossrt/core/base';
import { nodeReads } from './graph-surgery.js';
import { opsetMap } from './onnx-file.js';
import { activationParams, biasParams, quantizeValues, weightParams, type QuantParams } from './quant-params.js';
import { tensorFromProto, tensorToProto } from './tensor-proto.js';

/**
 * crossrt's static int8 quantizer in onnxruntime's QDQ format: every float tensor read or written by a
 * quantizable node gets one QuantizeLinear → DequantizeLinear pair (`T_QuantizeLinear_Output`,
 * `T_DequantizeLinear_Output`, parameters `T_scale`/`T_zero_point`) and every reader of T reads the
 * DequantizeLinear output; weights become `W_quantized` int8 initializers behind a DequantizeLinear
 * (per channel along the output-channel axis with `perChannel`); Conv/Gemm biases become int32 with
 * scale = input scale × weight scale. A quantized graph output keeps its name: its producer writes
 * `T_QuantizeLinear_Input` and the DequantizeLinear writes T. Activation ranges come from the caller
 * (calibration runs on a target, see @crossrt/harness); a tensor without a range stays float.
 */

/** Which inputs of a quantizable op are quantized, which one is a weight (and its output-channel axis), which a bias. */
interface OpRule {
  readonly inputs: readonly number[] | 'all';
  readonly weight?: {
    readonly slot: number;
    readonly axis: (n: NodeProto, dims: readonly number[]) => number | undefined;
  };
  readonly bias?: number;
}

const intAttr = (n: NodeProto, name: string, dflt: number) =>
  Number(n.attribute.find((a) => a.name === name)?.i ?? dflt);
const floatAttr = (n: NodeProto, name: string, dflt: number) => n.attribute.find((a) => a.name === name)?.f ?? dflt;

export const QDQ_OP_RULES: Readonly<Record<string, OpRule>> = {
  Conv: { inputs: [0, 1], weight: { slot: 1, axis: () => 0 }, bias: 2 },
  Gemm: { inputs: [0, 1], weight: { slot: 1, axis: (n) => (intAttr(n, 'transB', 0) ? 0 : 1) }, bias: 2 },
  MatMul: { inputs: [0, 1], weight: { slot: 1, axis: (_n, dims) => (dims.length === 2 ? 1 : undefined) } },
  Add: { inputs: [0, 1] },
  Mul: { inputs: [0, 1] },
  Concat: { inputs: 'all' },
  MaxPool: { inputs: [0] },
  AveragePool: { inputs: [0] },
  GlobalAveragePool: { inputs: [0] },
  Relu: { inputs: [0] },
  Flatten: { inputs: [0] },
  Reshape: { inputs: [0] },
  Transpose: { inputs: [0] },
  Squeeze: { inputs: [0] },
  Unsqueeze: { inputs: [0] },
};

export interface TensorRange {
  readonly min: number;
  readonly max: number;
}

export interface QdqOptions {
  /** Weights per output channel (default per tensor). Needs opset >= 13. */
  readonly perChannel?: boolean;
  /** Activation type (default uint8). */
  readonly activationType?: 'uint8' | 'int8';
  /** 7-bit weights in [-64, 64], as onnxruntime's reduce_range (see quant-params.ts). */
  readonly reduceRange?: boolean;
}

export interface QdqActivationRecord {
  readonly tensor: string;
  readonly min: number;
  readonly max: number;
  readonly scale: number;
  readonly zeroPoint: number;
}
export interface QdqWeightRecord {
  readonly tensor: string;
  readonly node: string;
  readonly opType: string;
  readonly dims: readonly number[];
  readonly axis: number | null;
  readonly kind: 'weight' | 'bias' | 'constant';
}

export interface QdqResult {
  readonly model: ModelProto;
  readonly quantizedNodes: number;
  readonly activations: readonly QdqActivationRecord[];
  readonly weights: readonly QdqWeightRecord[];
  /** Facts worth reporting: nodes left in float (no range, unsupported dtype), biases kept float. */
  readonly notes: readonly string[];
}

/** Activation tensors whose range quantizeQdq needs: what quantizable main-graph nodes read (non-initializer) and write (first output). */
export function qdqCalibrationTensors(proto: ModelProto): string[] {
  const g = requireGraph(proto);
  const inits = new Set(g.initializer.map((t) => t.name));
  const out = new Set<string>();
  for (const n of g.node) {
    const rule = n.domain === '' ? QDQ_OP_RULES[n.opType] : undefined;
    if (!rule) continue;
    for (const i of slots(n, rule)) if (n.input[i] && !inits.has(n.input[i]!)) out.add(n.input[i]!);
    if (n.output[0]) out.add(n.output[0]);
  }
  return [...out];
}

function slots(n: NodeProto, rule: OpRule): number[] {
  return rule.inputs === 'all' ? n.input.map((_x, i) => i) : rule.inputs.filter((i) => i < n.input.length);
}

export function quantizeQdq(
  proto: ModelProto,
  ranges: ReadonlyMap<string, TensorRange>,
  options: QdqOptions = {},
): QdqResult {
  const opset = opsetMap(proto)['ai.onnx'] ?? opsetMap(proto)[''] ?? 0;
  if (opset < 10)
    throw new CrossrtError(
      'USAGE',
      `the model imports ai.onnx opset ${opset}; QuantizeLinear/DequantizeLinear need opset 10 or newer`,
      'convert it first, e.g. crossrt upgrade model.onnx --opset 13',
    );
  if (options.perChannel && opset < 13)
    throw new CrossrtError(
      'USAGE',
      `per-channel weights need DequantizeLinear's axis (opset 13); the model imports opset ${opset}`,
      'drop --per-channel, or convert the model with crossrt upgrade --opset 13',
    );
  const actType = options.activationType ?? 'uint8';
  const model = clone(ModelProtoSchema, proto);
  const g = requireGraph(model);
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const graphOutputs = new Set(g.output.map((o) => o.name));
  const used = new Set([
    ...g.node.flatMap((n) => [...n.input, ...n.output]),
    ...inits.keys(),
    ...g.input.map((i) => i.name),
  ]);
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  const newInits: HostTensor[] = [];
  const newInitNames: string[] = [];
  const addInit = (name: string, t: HostTensor) => {
    newInits.push(t);
    newInitNames.push(name);
  };
  const params = new Map<string, QuantParams>();
  /** Tensor → the name its readers read after quantization. */
  const dequantized = new Map<string, string>();
  const activations: QdqActivationRecord[] = [];
  const weights: QdqWeightRecord[] = [];
  const notes: string[] = [];
  const out: NodeProto[] = [];
  /** Producer outputs renamed so a quantized graph output keeps its name on the DequantizeLinear. */
  const renamedOutputs = new Map<string, string>();

  const paramInits = (base: string, p: QuantParams): [string, string] => {
    const s = fresh(`${base}_scale`);
    const z = fresh(`${base}_zero_point`);
    const perAxis = p.scale.length > 1;
    addInit(s, makeTensor('float32', perAxis ? [p.scale.length] : [], p.scale));
    addInit(z, zeroPointTensor(p, perAxis));
    return [s, z];
  };

  const quantizeActivation = (tensor: string): void => {
    if (dequantized.has(tensor)) return;
    const r = ranges.get(tensor);
    if (!r) return;
    const p = activationParams(r.min, r.max, actType);
    params.set(tensor, p);
    const [s, z] = paramInits(tensor, p);
    // A graph output whose producer was renamed keeps its name on the DequantizeLinear; any other
    // tensor (a graph output made by a float node included) gets a new one its readers switch to.
    const renamed = renamedOutputs.get(tensor);
    const source = renamed ?? tensor;
    const qOut = fresh(`${tensor}_QuantizeLinear_Output`);
    const dqOut = renamed ? tensor : fresh(`${tensor}_DequantizeLinear_Output`);
    out.push(qdqNode('QuantizeLinear', fresh(`${tensor}_QuantizeLinear`), [source, s, z], qOut));
    out.push(qdqNode('DequantizeLinear', fresh(`${tensor}_DequantizeLinear`), [qOut, s, z], dqOut));
    dequantized.set(tensor, dqOut);
    activations.push({ tensor, min: r.min, max: r.max, scale: p.scale[0]!, zeroPoint: p.zeroPoint[0]! });
  };

  const quantizeInitializer = (
    name: string,
    n: NodeProto,
    kind: 'weight' | 'constant',
    axisOf?: (dims: readonly number[]) => number | undefined,
  ): void => {
    if (dequantized.has(name)) return;
    const init = inits.get(name)!;
    const w = tensorFromProto(init);
    if (w.dtype !== 'float32') return;
    const values = w.data as Float32Array;
    let p: QuantParams;
    let axis: number | undefined;
    if (kind === 'weight') {
      axis = options.perChannel && axisOf ? axisOf(w.dims) : undefined;
      p = weightParams(values, w.dims, axis, options.reduceRange === true);
    } else {
      let lo = Infinity,
        hi = -Infinity;
      for (const v of values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      p = activationParams(values.length ? lo : 0, values.length ? hi : 0, actType);
    }
    params.set(name, p);
    const q = quantizeValues(values, w.dims, p);
    const qName = fresh(`${name}_quantized`);
    addInit(qName, makeTensor(p.type, w.dims, p.type === 'uint8' ? Uint8Array.from(q) : Int8Array.from(q)));
    const [s, z] = paramInits(name, p);
    const dqOut = fresh(`${name}_DequantizeLinear_Output`);
    out.push(qdqNode('DequantizeLinear', fresh(`${name}_DequantizeLinear`), [qName, s, z], dqOut, axis));
    dequantized.set(name, dqOut);
    weights.push({ tensor: name, node: n.name, opType: n.opType, dims: [...w.dims], axis: axis ?? null, kind });
  };

  /** Each reader gets its own int32 copy: the scale depends on the reader's input and weight scales. */
  const quantizeBias = (name: string, n: NodeProto, input: string, weight: string): string | undefined => {
    const xp = params.get(input);
    const wp = params.get(weight);
    const b = tensorFromProto(inits.get(name)!);
    if (!xp || !wp || b.dtype !== 'float32' || b.dims.length !== 1) {
      notes.push(
        `bias ${name} of ${n.name || n.opType} stays float (its input or weight is not quantized, or it is not 1-D float)`,
      );
      return undefined;
    }
    const p = biasParams(xp.scale[0]!, wp);
    if (p.scale.length > 1 && p.scale.length !== b.dims[0]) {
      notes.push(
        `bias ${name} of ${n.name || n.opType} stays float (its ${b.dims[0]} channels do not match the weight's ${p.scale.length} scales)`,
      );
      return undefined;
    }
    params.set(name, p);
    const qName = fresh(`${name}_quantized`);
    addInit(qName, makeTensor('int32', b.dims, quantizeValues(b.data as Float32Array, b.dims, p)));
    const [s, z] = paramInits(name, p);
    const dqOut = fresh(`${name}_DequantizeLinear_Output`);
    out.push(qdqNode('DequantizeLinear', fresh(`${name}_DequantizeLinear`), [qName, s, z], dqOut, p.axis));
    weights.push({
      tensor: name,
      node: n.name,
      opType: n.opType,
      dims: [...b.dims],
      axis: p.axis ?? null,
      kind: 'bias',
    });
    return dqOut;
  };
  // torch.onnx copies one zero bias to several convs through Identity nodes: read through them.
  const identityOf = new Map(
    g.node
      .filter((n) => n.opType === 'Identity' && n.domain === '' && inits.has(n.input[0] ?? ''))
      .map((n) => [n.output[0]!, n.input[0]!]),
  );
  const constSource = (name: string | undefined) =>
    name === undefined ? undefined : inits.has(name) ? name : identityOf.get(name);

  let quantizedNodes = 0;
  for (const n of g.node) {
    const rule = n.domain === '' ? QDQ_OP_RULES[n.opType] : undefined;
    let biasOut: string | undefined;
    if (rule) {
      const mine = slots(n, rule);
      const before = dequantized.size;
      for (const i of mine) {
        const name = n.input[i]!;
        if (!name) continue;
        if (inits.has(name)) {
          const isWeight = rule.weight?.slot === i;
          quantizeInitializer(
            name,
            n,
            isWeight ? 'weight' : 'constant',
            isWeight ? (dims) => rule.weight!.axis(n, dims) : undefined,
          );
        } else {
          quantizeActivation(name);
        }
      }
      const bias = rule.bias !== undefined ? constSource(n.input[rule.bias]) : undefined;
      if (bias && rule.weight) {
        const gemmScaled = n.opType === 'Gemm' && (floatAttr(n, 'alpha', 1) !== 1 || floatAttr(n, 'beta', 1) !== 1);
        if (gemmScaled) notes.push(`bias of ${n.name || n.opType} stays float (Gemm alpha/beta are not 1)`);
        else biasOut = quantizeBias(bias, n, n.input[0]!, n.input[rule.weight.slot]!);
      }
      const anyQuantized = mine.some((i) => dequantized.has(n.input[i] ?? ''));
      if (anyQuantized || dequantized.size > before) quantizedNodes++;
      else notes.push(`${n.name || n.opType} (${n.opType}) stays float: none of its inputs has a calibration range`);
    }
    // Readers of a quantized tensor read its dequantized value.
    n.input = n.input.map((x) => dequantized.get(x) ?? x);
    if (biasOut) n.input[rule!.bias!] = biasOut;
    const o = n.output[0];
    if (rule && o && ranges.has(o) && graphOutputs.has(o)) {
      const renamed = fresh(`${o}_QuantizeLinear_Input`);
      renamedOutputs.set(o, renamed);
      n.output[0] = renamed;
    }
    out.push(n);
    if (rule && o) quantizeActivation(o);
  }
  // Initializers only the quantized copies read now go; those a subgraph still reads by name stay.
  const stillRead = new Set(out.flatMap((n) => nodeReads(n)));
  g.initializer = g.initializer.filter((t) => stillRead.has(t.name) || graphOutputs.has(t.name));
  g.input = g.input.filter((i) => !inits.has(i.name) || stillRead.has(i.name));
  g.initializer.push(...newInits.map((t, i) => tensorToProto(t, newInitNames[i])));
  g.node = out;
  const bodies = g.node.filter((n) => n.attribute.some((a) => a.g !== undefined || a.graphs.length > 0));
  if (quantizedNodes === 0) {
    notes.unshift(
      `nothing was quantized: no quantizable node of the main graph has a calibrated float input${
        bodies.length
          ? `; the compute may sit inside the bodies of ${bodies
              .map((n) => `${n.name || n.opType} (${n.opType})`)
              .slice(0, 3)
              .join(', ')}, which this quantizer does not enter`
          : ''
      }`,
    );
  }
  return { model, quantizedNodes, activations, weights, notes };
}

function zeroPointTensor(p: QuantParams, perAxis: boolean): HostTensor {
  const dims = perAxis ? [p.zeroPoint.length] : [];
  if (p.type === 'uint8') return makeTensor('uint8', dims, Uint8Array.from(p.zeroPoint));
  if (p.type === 'int8') return makeTensor('int8', dims, Int8Array.from(p.zeroPoint));
  return makeTensor('int32', dims, Int32Array.from(p.zeroPoint));
}

function qdqNode(
  op: 'QuantizeLinear' | 'DequantizeLinear',
  name: string,
  inputs: string[],
  output: string,
  axis?: number,
): NodeProto {
  return create(NodeProtoSchema, {
    name,
    opType: op,
    domain: '',
    input: inputs,
    output: [output],
    attribute:
      axis === undefined
        ? []
        : [create(AttributeProtoSchema, { name: 'axis', type: AttributeProto_AttributeType.INT, i: BigInt(axis) })],
  });
}

function requireGraph(proto: ModelProto): GraphProto {
  if (!proto.graph) throw new CrossrtError('MODEL_NO_GRAPH', 'the model has no graph');
  return proto.graph;
}
