import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { CrossrtError, numberToFloat16Bits } from '@crossrt/core/base';
import { elemTypeOf, inferNodeOutputTypes } from './elem-type-inference.js';
import { isExternalTensor, readExternalBytes } from './external-data.js';

/**
 * crossrt's own float32 → float16 converter, built for the precision search: it converts a model with
 * any set of nodes kept in float32 (a block-list), so one analysis serves every candidate the search
 * tries. Tensors keep their names; a Cast is inserted wherever a tensor's producer and a consumer
 * disagree on precision (one Cast per tensor and precision per graph). Initializers read only by fp16
 * nodes are converted in place, those read by both get an fp16 twin. If/Loop/Scan bodies are converted
 * too: a control-flow node's precision fixes its bodies' formal inputs and outputs, and every node inside
 * has its own precision (block-list keys name inner nodes as `<outer key>/<attribute>/<inner key>`).
 */

export const FLOAT = 1;
export const FLOAT16 = 10;
const FP16_MAX = 65504;
/** The smallest positive float16 (subnormal); smaller magnitudes would round to zero. */
const FP16_MIN_POSITIVE = 2 ** -24;

export type Precision = 'fp16' | 'fp32';

/**
 * Ops kept in float32 unless asked otherwise: ops whose float16 kernels are missing or unreliable in
 * onnxruntime's providers, or whose float inputs are not tied to their output type (the list
 * onnxconverter-common uses, minus the ai.onnx.ml ops, which stay fp32 as non-default-domain ops anyway).
 */
export const DEFAULT_FP32_OPS: ReadonlySet<string> = new Set([
  'NonMaxSuppression',
  'TopK',
  'RoiAlign',
  'Range',
  'CumSum',
  'Min',
  'Max',
  'Upsample',
  'RandomUniformLike',
  'RandomNormalLike',
  'RandomUniform',
  'RandomNormal',
  'Multinomial',
  'Bernoulli',
  'EyeLike',
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'STFT',
  'DFT',
  'HannWindow',
  'HammingWindow',
  'BlackmanWindow',
  'MelWeightMatrix',
]);

/** Inputs an op requires in float32 whatever its data type (Resize's and Upsample's scales). */
const FLOAT32_SLOTS: Readonly<Record<string, readonly number[]>> = { Resize: [2], Upsample: [1] };
/** Ops that read a tensor of any type: their float inputs are taken as they come, no Cast. */
const ANY_TYPE_INPUT_OPS = new Set(['Shape', 'Size', 'Cast']);

export interface Fp16ConvertOptions {
  /** Keep float32 graph inputs and outputs, with Casts at the boundary (default true). */
  readonly keepIoTypes?: boolean;
  /** Op types kept in float32 (default DEFAULT_FP32_OPS). */
  readonly keepOps?: ReadonlySet<string>;
  /** The model's folder, to read external tensors. */
  readonly modelDir?: string;
}

export interface Fp16NodeInfo {
  /** The block-list key: the node name (or `<op>(<first output>)` when unnamed), prefixed by its enclosing nodes. */
  readonly key: string;
  readonly name: string;
  readonly opType: string;
  /** '' for the main graph, else `<outer key>/<attribute>`. */
  readonly graph: string;
  /** It reads or writes a float32 tensor, so its precision matters. */
  readonly float: boolean;
  /** Why it stays float32 whatever the block-list says (default op list, non-default domain). */
  readonly keptBecause?: string;
  /** Graph-order index within its graph. */
  readonly index: number;
}

export interface OutOfRangeTensor {
  readonly tensor: string;
  readonly elements: number;
  /** Values above 65504 in magnitude, clamped to ±65504. */
  readonly overflow: number;
  /** Non-zero values below 2^-24 in magnitude, clamped to ±2^-24 so they do not become zero. */
  readonly underflow: number;
  readonly maxAbs: number;
}

export interface Fp16ConvertResult {
  readonly model: ModelProto;
  /** Keys of the float nodes left in float32 (block-list and default keeps). */
  readonly fp32Nodes: readonly string[];
  readonly fp16Nodes: number;
  readonly castsInserted: number;
  readonly initializersConverted: number;
  /** Initializers kept in float32 as well as converted, because fp32 and fp16 nodes both read them. */
  readonly initializersTwinned: number;
}

interface GraphInfo {
  readonly path: string;
  readonly graph: GraphProto;
  readonly types: Map<string, number>;
  readonly keys: readonly string[];
  /** Subgraph infos by `<node index>/<attribute name>`. */
  readonly bodies: Map<string, GraphInfo>;
}

export class Fp16Converter {
  readonly nodes: readonly Fp16NodeInfo[];
  /** Float initializers and Constant tensors whose values leave the float16 range. */
  readonly outOfRange: readonly OutOfRangeTensor[];
  private readonly main: GraphInfo;
  private readonly keepIo: boolean;
  private readonly keepOps: ReadonlySet<string>;
  private readonly fp16Tensors = new Map<TensorProto, TensorProto>();
  private readonly nodeInfo = new Map<string, Fp16NodeInfo>();

  constructor(
    private readonly proto: ModelProto,
    private readonly options: Fp16ConvertOptions = {},
  ) {
    if (!proto.graph) throw new CrossrtError('MODEL_NO_GRAPH', 'the model has no graph');
    this.keepIo = options.keepIoTypes ?? true;
    this.keepOps = options.keepOps ?? DEFAULT_FP32_OPS;
    const nodes: Fp16NodeInfo[] = [];
    this.main = this.analyse(proto.graph, '', () => undefined, nodes);
    this.nodes = nodes;
    for (const n of nodes) this.nodeInfo.set(n.key, n);
    const outOfRange: OutOfRangeTensor[] = [];
    for (const t of floatTensorsOf(proto.graph)) {
      const r = this.fp16Of(t);
      if (r.range) outOfRange.push(r.range);
    }
    this.outOfRange = outOfRange;
  }

  /** Nodes whose precision the search may choose: float nodes not kept by default. */
  get candidates(): Fp16NodeInfo[] {
    return this.nodes.filter((n) => n.float && !n.keptBecause);
  }

  info(key: string): Fp16NodeInfo | undefined {
    return this.nodeInfo.get(key);
  }

  /** A main-graph tensor (input, initializer, node output) is float32 in the source model. */
  isFloatTensor(name: string): boolean {
    return name !== '' && this.main.types.get(name) === FLOAT;
  }

  /** The block-list key of the main graph's node at `index`. */
  mainKey(index: number): string {
    return this.main.keys[index]!;
  }

  /** The model with every float node in float16 except the `fp32` keys (and the default keeps). */
  convert(fp32: ReadonlySet<string> = new Set()): Fp16ConvertResult {
    const unknown = [...fp32].filter((k) => !this.nodeInfo.has(k));
    if (unknown.length > 0) {
      throw new CrossrtError(
        'GRAPH_TENSOR_NOT_FOUND',
        `no node with key ${unknown
          .slice(0, 5)
          .map((k) => `"${k}"`)
          .join(', ')} in the model`,
        'block-list keys are node names (or `<op>(<first output>)` for unnamed nodes) as `crossrt precision` writes them',
      );
    }
    const stats = { casts: 0, converted: 0, twinned: 0, fp16: 0, fp32: [] as string[] };
    const renames = new Map<string, string>();
    const graph = this.convertGraph(
      this.main,
      fp32,
      {
        home: () => undefined,
        inputPrecision: () => (this.keepIo ? 'fp32' : 'fp16'),
        outputPrecision: () => (this.keepIo ? 'fp32' : 'any'),
        isMain: true,
      },
      renames,
      stats,
    );
    const model = create(ModelProtoSchema, { ...this.proto, graph });
    return {
      model,
      fp32Nodes: stats.fp32,
      fp16Nodes: stats.fp16,
      castsInserted: stats.casts,
      initializersConverted: stats.converted,
      initializersTwinned: stats.twinned,
    };
  }

  private analyse(
    g: GraphProto,
    path: string,
    outerType: (name: string) => number | undefined,
    out: Fp16NodeInfo[],
  ): GraphInfo {
    const types = new Map<string, number>();
    const declare = (name: string, t: number | undefined) => {
      if (t !== undefined && name !== '' && !types.has(name)) types.set(name, t);
    };
    for (const vi of [...g.input, ...g.output, ...g.valueInfo]) declare(vi.name, elemTypeOf(vi.type));
    for (const t of g.initializer) declare(t.name, t.dataType);
    const typeOf = (name: string) => types.get(name) ?? outerType(name);
    const keys: string[] = [];
    const seen = new Set<string>();
    const bodies = new Map<string, GraphInfo>();
    g.node.forEach((n, index) => {
      let own = n.name || `${n.opType}(${n.output[0] ?? index})`;
      if (seen.has(own)) own = `${own}#${index}`;
      seen.add(own);
      const key = path ? `${path}/${own}` : own;
      keys.push(key);
      // Bodies first: an If/Loop/Scan whose body outputs declare no type yields what its body computes.
      const nodeBodies: GraphInfo[] = [];
      const at = out.length; // the node is listed before its body nodes
      for (const a of n.attribute) {
        const subs = a.g ? [a.g] : a.graphs;
        subs.forEach((sub, j) => {
          const bodyPath = `${key}/${a.name}${a.graphs.length > 1 ? `[${j}]` : ''}`;
          const body = this.analyse(sub, bodyPath, typeOf, out);
          bodies.set(`${index}/${a.name}/${j}`, body);
          nodeBodies.push(body);
        });
      }
      const outs = inferNodeOutputTypes(n, typeOf);
      const bodyOutput = (i: number) => {
        const skip = n.opType === 'Loop' ? 1 : 0; // Loop's first body output is the condition
        for (const b of nodeBodies) {
          const name = b.graph.output[i + skip]?.name;
          const t = name ? b.types.get(name) : undefined;
          if (t !== undefined) return t;
        }
        return undefined;
      };
      n.output.forEach((o, i) => declare(o, outs[i] ?? bodyOutput(i)));
      const float =
        [...n.input, ...n.output].some((t) => t !== '' && typeOf(t) === FLOAT) ||
        (n.opType === 'Cast' && Number(attr(n, 'to')?.i ?? 0n) === FLOAT) ||
        (n.opType === 'ConstantOfShape' && (attr(n, 'value')?.t?.dataType ?? FLOAT) === FLOAT);
      const keptBecause =
        n.domain !== '' && n.domain !== 'ai.onnx'
          ? `domain ${n.domain} (crossrt does not know its types)`
          : this.keepOps.has(n.opType)
            ? `${n.opType} is on the default float32 op list`
            : undefined;
      out.splice(at, 0, {
        key,
        name: n.name,
        opType: n.opType,
        graph: path,
        float,
        index,
        ...(keptBecause ? { keptBecause } : {}),
      });
    });
    return { path, graph: g, types, keys, bodies };
  }

  private precisionOf(key: string, fp32: ReadonlySet<string>): Precision {
    const info = this.nodeInfo.get(key)!;
    return info.keptBecause || fp32.has(key) ? 'fp32' : 'fp16';
  }

  private convertGraph(
    info: GraphInfo,
    fp32: ReadonlySet<string>,
    frame: GraphFrame,
    renames: Map<string, string>,
    stats: Stats,
  ): GraphProto {
    const g = info.graph;
    const typeOf = (name: string): number | undefined => info.types.get(name) ?? frame.outerType?.(name);
    const isFloat = (name: string) => name !== '' && typeOf(name) === FLOAT;
    const precision = info.keys.map((k) => this.precisionOf(k, fp32));

    // 1. What each float tensor's readers want.
    const wants = new Map<string, Set<Precision>>();
    const want = (t: string, p: Precision | 'any') => {
      if (p === 'any' || !isFloat(t)) return;
      let s = wants.get(t);
      if (!s) wants.set(t, (s = new Set()));
      s.add(p);
    };
    g.node.forEach((n, i) => {
      n.input.forEach((t, slot) => want(t, slotPrecision(n, slot, precision[i]!)));
      for (const [t, p] of this.outerWants(info, i, fp32)) want(t, p);
    });
    g.output.forEach((o, i) => want(o.name, frame.outputPrecision(i)));

    // 2. Where each float tensor lives (its home precision).
    const home = new Map<string, Precision>();
    g.input.forEach((vi, i) => {
      if (isFloat(vi.name)) home.set(vi.name, frame.inputPrecision(i) === 'fp16' ? 'fp16' : 'fp32');
    });
    const initializers: TensorProto[] = [];
    const twins = new Map<string, string>();
    for (const t of g.initializer) {
      const w = wants.get(t.name);
      if (t.dataType !== FLOAT || !w?.has('fp16')) {
        initializers.push(t);
        if (t.dataType === FLOAT) home.set(t.name, 'fp32');
        continue;
      }
      const half = this.fp16Of(t).tensor;
      if (w.has('fp32')) {
        initializers.push(t);
        const twin = `${t.name}__fp16`;
        initializers.push(create(TensorProtoSchema, { ...half, name: twin }));
        twins.set(t.name, twin);
        home.set(t.name, 'fp32');
        stats.twinned++;
      } else {
        initializers.push(half);
        home.set(t.name, 'fp16');
      }
      stats.converted++;
    }
    const homeOf = (t: string): Precision | undefined => home.get(t) ?? frame.home(t);

    // 3. Nodes in order, each preceded by the Casts its inputs need.
    const nodes: NodeProto[] = [];
    const casts = new Map<string, string>();
    const castTo = (t: string, p: Precision, where: NodeProto[] = nodes): string => {
      if (p === 'fp16' && twins.has(t)) return twins.get(t)!;
      const id = `${t}\u0000${p}`;
      const done = casts.get(id);
      if (done) return done;
      const out = uniqueName(`${t}__to_${p}`, info, casts);
      where.push(castNode(t, out, p === 'fp16' ? FLOAT16 : FLOAT));
      casts.set(id, out);
      home.set(out, p);
      stats.casts++;
      return out;
    };
    const mainOutputs = new Set(frame.isMain ? g.output.map((o) => o.name) : []);
    g.node.forEach((n, i) => {
      const p = precision[i]!;
      const key = info.keys[i]!;
      if (this.nodeInfo.get(key)!.float) {
        if (p === 'fp32') stats.fp32.push(key);
        else stats.fp16++;
      }
      const inputs = n.input.map((raw, slot) => {
        const t = renames.get(raw) ?? raw;
        if (!isFloat(raw)) return t;
        const w = slotPrecision(n, slot, p);
        const h = homeOf(raw);
        return w === 'any' || h === undefined || h === w ? t : castTo(t, w);
      });
      const attribute = n.attribute.map((a) =>
        this.convertAttribute(n, a, i, p, info, fp32, {
          home: (t) => homeOf(t),
          outerType: typeOf,
          renames,
          stats,
        }),
      );
      let outputs = [...n.output];
      // Output homes: the node's precision for float outputs (Cast and CastLike decide by their target type).
      const outPrec: Precision =
        n.opType === 'CastLike'
          ? homeOf(n.input[1] ?? '') === 'fp16' && slotPrecision(n, 1, p) !== 'fp32'
            ? p
            : 'fp32'
          : p;
      const constantFp32 = n.opType === 'Constant' && wants.get(n.output[0] ?? '')?.has('fp32');
      outputs = outputs.map((o) => {
        if (!isFloat(o)) return o;
        const h: Precision = constantFp32 ? 'fp32' : outPrec;
        home.set(o, h);
        if (mainOutputs.has(o) && this.keepIo && h === 'fp16') {
          const inner = uniqueName(`${o}__fp16`, info, casts);
          renames.set(o, inner);
          home.set(inner, 'fp16');
          return inner;
        }
        return o;
      });
      const converted =
        p === 'fp16' && !constantFp32 ? rewriteFloatAttributes(n, attribute, (t) => this.fp16Of(t).tensor) : attribute;
      nodes.push(create(NodeProtoSchema, { ...n, input: inputs, output: outputs, attribute: converted }));
    });

    // 4. Graph outputs at the precision the frame requires.
    const output = g.output.map((vi, i) => {
      if (!isFloat(vi.name)) return vi;
      const req = frame.outputPrecision(i);
      const renamed = renames.get(vi.name);
      const h = homeOf(vi.name) ?? 'fp32';
      if (frame.isMain) {
        if (renamed) {
          nodes.push(castNode(renamed, vi.name, FLOAT));
          stats.casts++;
          return vi;
        }
        return req === 'any' ? withElemType(vi, h === 'fp16' ? FLOAT16 : FLOAT) : vi;
      }
      const p = req === 'any' ? h : req;
      const name = h === p ? (renamed ?? vi.name) : castTo(renamed ?? vi.name, p);
      return create(ValueInfoProtoSchema, { ...withElemType(vi, p === 'fp16' ? FLOAT16 : FLOAT), name });
    });
    const input = g.input.map((vi) =>
      isFloat(vi.name) && home.get(vi.name) === 'fp16' ? withElemType(vi, FLOAT16) : vi,
    );
    const valueInfo = g.valueInfo.map((vi) =>
      isFloat(vi.name) && home.get(vi.name) === 'fp16' ? withElemType(vi, FLOAT16) : vi,
    );
    return create(GraphProtoSchema, { ...g, node: nodes, initializer: initializers, input, output, valueInfo });
  }

  /** What the nodes inside node `index`'s bodies (at any depth) want of names from enclosing graphs. */
  private outerWants(info: GraphInfo, index: number, fp32: ReadonlySet<string>): [string, Precision | 'any'][] {
    const out: [string, Precision | 'any'][] = [];
    for (const [id, body] of info.bodies) {
      if (!id.startsWith(`${index}/`)) continue;
      const g = body.graph;
      const local = new Set([
        ...g.input.map((x) => x.name),
        ...g.initializer.map((t) => t.name),
        ...g.node.flatMap((x) => x.output),
      ]);
      g.node.forEach((n, j) => {
        const p = this.precisionOf(body.keys[j]!, fp32);
        n.input.forEach((t, slot) => {
          if (t !== '' && !local.has(t)) out.push([t, slotPrecision(n, slot, p)]);
        });
        for (const [t, q] of this.outerWants(body, j, fp32)) if (!local.has(t)) out.push([t, q]);
      });
      g.output.forEach((o) => {
        if (!local.has(o.name)) out.push([o.name, this.precisionOf(info.keys[index]!, fp32)]);
      });
    }
    return out;
  }

  private convertAttribute(
    n: NodeProto,
    a: AttributeProto,
    index: number,
    p: Precision,
    info: GraphInfo,
    fp32: ReadonlySet<string>,
    outer: OuterScope,
  ): AttributeProto {
    const subs = a.g ? [a.g] : a.graphs;
    if (subs.length === 0) return a;
    const bodies = subs.map((_, j) => {
      const body = info.bodies.get(`${index}/${a.name}/${j}`)!;
      // Loop bodies start with the iteration number and condition; If bodies have no inputs.
      const firstCarried = n.opType === 'Loop' ? 2 : 0;
      return this.convertGraph(
        body,
        fp32,
        {
          home: outer.home,
          outerType: outer.outerType,
          isMain: false,
          inputPrecision: (i) => (i >= firstCarried ? p : 'fp32'),
          outputPrecision: () => p,
        },
        outer.renames,
        outer.stats,
      );
    });
    return a.g
      ? create(AttributeProtoSchema, { ...a, g: bodies[0]! })
      : create(AttributeProtoSchema, { ...a, graphs: bodies });
  }

  /** The float16 copy of a float32 tensor (cached: the search converts the same weights many times). */
  private fp16Of(t: TensorProto): { tensor: TensorProto; range?: OutOfRangeTensor } {
    const cached = this.fp16Tensors.get(t);
    if (cached) return { tensor: cached };
    const values = floatValues(t, this.options.modelDir);
    const bits = new Uint16Array(values.length);
    let overflow = 0;
    let underflow = 0;
    let maxAbs = 0;
    for (let i = 0; i < values.length; i++) {
      let v = values[i]!;
      const m = Math.abs(v);
      if (m > maxAbs) maxAbs = m;
      if (m > FP16_MAX && Number.isFinite(v)) {
        overflow++;
        v = Math.sign(v) * FP16_MAX;
      } else if (m > 0 && m < FP16_MIN_POSITIVE) {
        underflow++;
        v = Math.sign(v) * FP16_MIN_POSITIVE;
      }
      bits[i] = numberToFloat16Bits(v);
    }
    const tensor = create(TensorProtoSchema, {
      name: t.name,
      dims: [...t.dims],
      dataType: FLOAT16,
      docString: t.docString,
      rawData: new Uint8Array(bits.buffer) as Uint8Array<ArrayBuffer>,
    });
    this.fp16Tensors.set(t, tensor);
    return {
      tensor,
      ...(overflow + underflow > 0
        ? { range: { tensor: t.name || '(constant)', elements: values.length, overflow, underflow, maxAbs } }
        : {}),
    };
  }
}

interface GraphFrame {
  /** Precision of names from enclosing graphs. */
  readonly home: (name: string) => Precision | undefined;
  readonly outerType?: (name: string) => number | undefined;
  readonly inputPrecision: (index: number) => Precision;
  readonly outputPrecision: (index: number) => Precision | 'any';
  readonly isMain: boolean;
}

interface OuterScope {
  readonly home: (name: string) => Precision | undefined;
  readonly outerType: (name: string) => number | undefined;
  readonly renames: Map<string, string>;
  readonly stats: Stats;
}

interface Stats {
  casts: number;
  converted: number;
  twinned: number;
  fp16: number;
  fp32: string[];
}

function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return n.attribute.find((a) => a.name === name);
}

/** The precision a node wants for one input slot (`any` when the op reads every type as it comes). */
function slotPrecision(n: NodeProto, slot: number, p: Precision): Precision | 'any' {
  if (ANY_TYPE_INPUT_OPS.has(n.opType) || (n.opType === 'CastLike' && slot === 0)) return 'any';
  if (FLOAT32_SLOTS[n.opType]?.includes(slot)) return 'fp32';
  return p;
}

/** Cast's `to`, Constant's and ConstantOfShape's value: the float32 parts of an fp16 node's attributes. */
function rewriteFloatAttributes(
  n: NodeProto,
  attrs: AttributeProto[],
  toHalf: (t: TensorProto) => TensorProto,
): AttributeProto[] {
  const T = AttributeProto_AttributeType;
  if (n.opType === 'Cast')
    return attrs.map((a) =>
      a.name === 'to' && Number(a.i) === FLOAT ? create(AttributeProtoSchema, { ...a, i: BigInt(FLOAT16) }) : a,
    );
  if (n.opType === 'Constant') {
    return attrs.map((a) => {
      if (a.name === 'value' && a.t?.dataType === FLOAT) return create(AttributeProtoSchema, { ...a, t: toHalf(a.t) });
      if (a.name === 'value_float' || a.name === 'value_floats') {
        const values = a.name === 'value_float' ? [a.f] : a.floats;
        const t = create(TensorProtoSchema, {
          dataType: FLOAT,
          dims: a.name === 'value_float' ? [] : [BigInt(values.length)],
          floatData: [...values],
        });
        return create(AttributeProtoSchema, { name: 'value', type: T.TENSOR, t: toHalf(t) });
      }
      return a;
    });
  }
  if (n.opType === 'ConstantOfShape') {
    const value = attrs.find((a) => a.name === 'value');
    if (!value) {
      const zero = create(TensorProtoSchema, { dataType: FLOAT16, dims: [1n], rawData: new Uint8Array(2) });
      return [...attrs, create(AttributeProtoSchema, { name: 'value', type: T.TENSOR, t: zero })];
    }
    return attrs.map((a) =>
      a === value && a.t?.dataType === FLOAT ? create(AttributeProtoSchema, { ...a, t: toHalf(a.t) }) : a,
    );
  }
  return attrs;
}

function castNode(input: string, output: string, to: number): NodeProto {
  return create(NodeProtoSchema, {
    name: `${output}__cast`,
    opType: 'Cast',
    input: [input],
    output: [output],
    attribute: [create(AttributeProtoSchema, { name: 'to', type: AttributeProto_AttributeType.INT, i: BigInt(to) })],
  });
}

function uniqueName(base: string, info: GraphInfo, taken: Map<string, string>): string {
  const used = new Set(taken.values());
  let name = base;
  for (let k = 1; info.types.has(name) || used.has(name); k++) name = `${base}_${k}`;
  return name;
}

function withElemType(vi: ValueInfoProto, elemType: number): ValueInfoProto {
  if (vi.type?.value.case !== 'tensorType') return vi;
  const tensorType = create(TypeProto_TensorSchema, { ...vi.type.value.value, elemType });
  return create(ValueInfoProtoSchema, {
    ...vi,
    type: create(TypeProtoSchema, { ...vi.type, value: { case: 'tensorType', value: tensorType } }),
  });
}

/** Float initializers and float Constant tensors of a graph and its bodies. */
function* floatTensorsOf(g: GraphProto): Generator<TensorProto> {
  for (const t of g.initializer) if (t.dataType === FLOAT) yield t;
  for (const n of g.node) {
    for (const a of n.attribute) {
      if (a.t?.dataType === FLOAT && (n.opType === 'Constant' || n.opType === 'ConstantOfShape')) yield a.t;
      for (const sub of a.g ? [a.g] : a.graphs) yield* floatTensorsOf(sub);
    }
  }
}

function floatValues(t: TensorProto, modelDir: string | undefined): Float32Array {
  if (isExternalTensor(t)) {
    if (modelDir === undefined)
      throw new CrossrtError(
        'TENSOR_INVALID',
        `${t.name}: stored as external data`,
        'give the model folder so its external file is read',
      );
    const raw = readExternalBytes(t, modelDir);
    return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  }
  if (t.rawData.length > 0) {
    const copy = new Uint8Array(t.rawData);
    return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  }
  return Float32Array.from(t.floatData);
}
