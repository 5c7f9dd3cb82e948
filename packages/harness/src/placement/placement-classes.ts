import { bytesPerElement, dtypeFromOnnx } from '@crossrt/core';
import { elemTypeOf, inferNodeOutputTypes, type ModelProto } from '@crossrt/model';

type GraphProto = NonNullable<ModelProto['graph']>;
type NodeProto = GraphProto['node'][number];
type TensorProto = GraphProto['initializer'][number];

/**
 * What a node is for, as far as GPU placement goes:
 * - `shape`: shape/control work — the CPU-preferred shape subgraph onnxruntime places on the CPU on
 *   purpose (GetCpuPreferredNodes, fallback_cpu_capability.cc) and what it refuses to a GPU EP for
 *   lack of an int64 kernel. Two ways to be one:
 *   1. it reads only *shape-derived* tensors: outputs of Shape and Size (which read a tensor's dims,
 *      never its data), small constants and initializers (at most 100 elements, ORT's own "small
 *      initializer" bound), scalar integer/bool model inputs (`sr`), and outputs of other such nodes.
 *      It does no arithmetic on the model's data, whatever it produces (ConstantOfShape zeros too);
 *   2. its outputs are integer/bool tensors used only as shapes, sizes, axes, indices or conditions
 *      (Reshape's shape, Gather's indices, Slice's starts/ends/axes/steps, Expand/Tile sizes,
 *      ConstantOfShape, Range, Resize/Upsample scales and sizes, If's cond, Loop's trip count and
 *      condition, …) or by other shape/control nodes: data-dependent control such as a condition
 *      computed from a tensor's values.
 * - `compute`: everything else — nodes that read the model's data and produce data (Conv, MatMul,
 *   Upsample of an image, …), and any node whose output is one of the model's outputs (a model
 *   whose job is Shape still computes that shape for the user).
 */
export type PlacementClass = 'shape' | 'compute';

export interface ClassifiedNode {
  readonly name: string;
  readonly opType: string;
  readonly class: PlacementClass;
  /** The rule that decided, in a few words. */
  readonly why: string;
  /**
   * Initializers and Constant tensors it reads, by name (their bytes are in GraphClasses.tensorBytes),
   * directly or through nodes that only transform weights (a Slice of an LSTM weight): onnxruntime
   * folds those at load, so the weights reach the node that is left.
   */
  readonly weights: readonly string[];
}

export interface GraphClasses {
  /** Every node of the main graph and of its subgraphs, in file order (a subgraph's nodes before the node holding it). */
  readonly nodes: readonly ClassifiedNode[];
  /** Nodes by name (subgraphs may repeat a name, e.g. the two branches of an If). */
  readonly byName: ReadonlyMap<string, readonly ClassifiedNode[]>;
  /** Bytes of every initializer and Constant tensor, by name. */
  readonly tensorBytes: ReadonlyMap<string, number>;
  readonly totalBytes: number;
}

/** ORT's kSmallInitializerThreshold: initializers this small count as CPU-side shape data. */
const SMALL_ELEMENTS = 100;
const INTEGER_OR_BOOL = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13, 21, 22]);
const REDUCE_OPS = [
  'ReduceSum',
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
];
/** Input slots read as shapes, sizes, axes, indices or conditions (any opset that has the input). */
const CONTROL_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  ConstantOfShape: [0],
  Range: [0, 1, 2],
  Slice: [1, 2, 3, 4],
  Gather: [1],
  GatherElements: [1],
  GatherND: [1],
  Scatter: [1],
  ScatterElements: [1],
  ScatterND: [1],
  Resize: [1, 2, 3],
  Upsample: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Pad: [1, 3],
  Split: [1],
  TopK: [1],
  OneHot: [1],
  CumSum: [1],
  Trilu: [1],
  Compress: [1],
  If: [0],
  Loop: [0, 1],
  NonMaxSuppression: [2, 3, 4],
  RoiAlign: [2],
  CenterCropPad: [1],
  Col2Im: [1, 2],
  DFT: [1, 2],
  STFT: [1, 3],
  Dropout: [1, 2],
  ...Object.fromEntries(REDUCE_OPS.map((op) => [op, [1]])),
};
/** Ops that read only their input's dims. */
const METADATA_OPS = new Set(['Shape', 'Size']);
const SUBGRAPH_ATTRS = ['then_branch', 'else_branch', 'body'];

interface NodeFacts {
  readonly node: NodeProto;
  readonly subgraphs: readonly { attr: string; graph: GraphProto }[];
}

/** Where a value is read: an input slot of a node, a model output, or an output of a subgraph. */
type Use =
  | { readonly kind: 'slot'; readonly node: NodeProto; readonly slot: number }
  | { readonly kind: 'model-output' }
  | { readonly kind: 'subgraph-output'; readonly parent: NodeProto; readonly attr: string; readonly index: number };

function elements(dims: readonly bigint[]): number {
  return dims.reduce((n, d) => n * Number(d), 1);
}

function tensorBytes(t: TensorProto): number {
  const dtype = dtypeFromOnnx(t.dataType);
  if (dtype === 'string') return t.stringData.reduce((n, s) => n + s.length, 0);
  return dtype ? elements(t.dims) * bytesPerElement(dtype) : t.rawData.length;
}

/** The tensor a Constant node holds in its `value` attribute (the other forms are lists or scalars). */
function constantTensor(n: NodeProto): TensorProto | undefined {
  return n.attribute.find((a) => a.name === 'value')?.t;
}

/**
 * Classify every node of `model` (main graph and subgraphs) as shape/control or compute. Pure: the
 * graph alone decides (declared types, value_info and @crossrt/model's element-type inference; each
 * input slot's meaning). Value names are treated as unique across the model (ONNX's SSA rule), so a
 * subgraph reading an outer tensor reads it by name.
 */
export function classifyGraph(model: ModelProto): GraphClasses {
  const main = model.graph;
  const types = new Map<string, number>();
  const shapeDerived = new Set<string>();
  const sizes = new Map<string, number>();
  const uses = new Map<string, Use[]>();
  const facts: NodeFacts[] = [];
  const addUse = (name: string, use: Use) => {
    if (name === '') return;
    const list = uses.get(name) ?? [];
    list.push(use);
    uses.set(name, list);
  };
  const declare = (name: string, t: number | undefined) => {
    if (t !== undefined && name !== '' && !types.has(name)) types.set(name, t);
  };

  const visit = (g: GraphProto, bodyInputs?: readonly boolean[]): void => {
    for (const vi of [...g.input, ...g.output, ...g.valueInfo]) declare(vi.name, elemTypeOf(vi.type));
    for (const t of g.initializer) {
      declare(t.name, t.dataType);
      sizes.set(t.name, tensorBytes(t));
      if (elements(t.dims) <= SMALL_ELEMENTS) shapeDerived.add(t.name);
    }
    g.input.forEach((vi, i) => {
      // A body's inputs follow its node's (see below); the model's own: scalar integer/bool controls (`sr`).
      if (bodyInputs ? bodyInputs[i] : isScalarControlInput(vi)) shapeDerived.add(vi.name);
    });
    for (const n of g.node) {
      const subgraphs = n.attribute
        .filter((a) => a.g && SUBGRAPH_ATTRS.includes(a.name))
        .map((a) => ({ attr: a.name, graph: a.g! }));
      const inputDerived = (i: number) =>
        n.input[i] === undefined || n.input[i] === '' || shapeDerived.has(n.input[i]!);
      for (const s of subgraphs) {
        // Body inputs line up with the node's: Loop (iteration, condition, carried…), Scan (states, slices…).
        const carried = s.graph.input.map(
          (_, i) =>
            (n.opType === 'Loop' && i === 0) || ((n.opType === 'Loop' || n.opType === 'Scan') && inputDerived(i)),
        );
        visit(s.graph, carried);
        s.graph.output.forEach((o, index) =>
          addUse(o.name, { kind: 'subgraph-output', parent: n, attr: s.attr, index }),
        );
      }
      n.input.forEach((name, slot) => addUse(name, { kind: 'slot', node: n, slot }));
      inferNodeOutputTypes(n, (name) => types.get(name)).forEach((t, i) => declare(n.output[i] ?? '', t));
      const constant = n.opType === 'Constant' ? constantTensor(n) : undefined;
      if (constant && n.output[0]) sizes.set(n.output[0], tensorBytes(constant));
      if (producesShapeDerived(n, subgraphs, inputDerived, shapeDerived))
        for (const o of n.output) if (o) shapeDerived.add(o);
      facts.push({ node: n, subgraphs });
    }
  };
  if (main) {
    visit(main);
    for (const o of main.output) addUse(o.name, { kind: 'model-output' });
  }

  // Model outputs, followed back through the If/Loop/Scan outputs that carry them.
  const modelResult = (name: string, seen = new Set<string>()): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    return (uses.get(name) ?? []).some(
      (u) =>
        u.kind === 'model-output' ||
        (u.kind === 'subgraph-output' &&
          u.parent.output.some((o, k) => o !== '' && parentIndex(u, k) && modelResult(o, seen))),
    );
  };
  const byForward = new Set(
    facts
      .filter((f) => f.node.output.length > 0 && f.node.output.every((o) => o === '' || shapeDerived.has(o)))
      .map((f) => f.node),
  );
  const results = new Set(
    facts.filter((f) => f.node.output.some((o) => o !== '' && modelResult(o))).map((f) => f.node),
  );
  // Rule 2 as a greatest fixpoint: start from every integer/bool producer, drop those with a use
  // that is neither a control slot nor an input of a node still in the set (or a rule-1 node).
  const control = new Set(
    facts
      .filter(
        (f) =>
          !byForward.has(f.node) &&
          !results.has(f.node) &&
          f.node.output.length > 0 &&
          f.node.output.every((o) => o === '' || INTEGER_OR_BOOL.has(types.get(o) ?? 0)),
      )
      .map((f) => f.node),
  );
  const shapeLike = (n: NodeProto) => (byForward.has(n) && !results.has(n)) || control.has(n);
  const useIsControl = (u: Use): boolean => {
    if (u.kind === 'model-output') return false;
    if (u.kind === 'subgraph-output') return (u.parent.opType === 'Loop' && u.index === 0) || shapeLike(u.parent);
    return (
      (CONTROL_SLOTS[u.node.opType] ?? []).includes(u.slot) || METADATA_OPS.has(u.node.opType) || shapeLike(u.node)
    );
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const n of control) {
      if (n.output.every((o) => o === '' || (uses.get(o) ?? []).every(useIsControl))) continue;
      control.delete(n);
      changed = true;
    }
  }

  const weightsOf = weightReader(
    facts.map((f) => f.node),
    sizes,
  );
  const nodes: ClassifiedNode[] = facts.map(({ node: n }) => {
    const weights = weightsOf(n);
    const [cls, why]: [PlacementClass, string] = results.has(n)
      ? ['compute', 'produces a model output']
      : byForward.has(n)
        ? ['shape', 'reads only shapes, sizes and small constants']
        : control.has(n)
          ? ['shape', 'integer/bool output used only as shape, index or condition']
          : ['compute', "reads the model's data"];
    return { name: n.name, opType: n.opType, class: cls, why, weights };
  });
  const byName = new Map<string, ClassifiedNode[]>();
  for (const c of nodes) if (c.name !== '') byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  return { nodes, byName, tensorBytes: sizes, totalBytes: [...sizes.values()].reduce((a, b) => a + b, 0) };
}

/**
 * The weights a node reads, following inputs back through weight-only nodes (every input a weight or
 * the output of another such node; Constant nodes are weights themselves).
 */
function weightReader(all: readonly NodeProto[], sizes: ReadonlyMap<string, number>): (n: NodeProto) => string[] {
  const producer = new Map<string, NodeProto>();
  for (const n of all) for (const o of n.output) if (o !== '') producer.set(o, n);
  const folded = new Map<NodeProto, string[] | undefined>();
  // Weights behind a weight-only producer, or undefined when the producer reads runtime data.
  const behind = (p: NodeProto): string[] | undefined => {
    if (folded.has(p)) return folded.get(p);
    folded.set(p, undefined); // cycles cannot occur in a valid graph; this also stops a bad one
    const inputs = p.input.filter((i) => i !== '');
    // A Constant without a tensor (value_ints, value_float…) is small and weight-free.
    let out: string[] | undefined = p.opType === 'Constant' ? [] : undefined;
    if (p.opType !== 'Constant' && inputs.length > 0 && !p.attribute.some((a) => a.g)) {
      const parts = inputs.map((i) => (sizes.has(i) ? [i] : producer.has(i) ? behind(producer.get(i)!) : undefined));
      out = parts.every((x) => x !== undefined) ? parts.flat() : undefined;
    }
    folded.set(p, out);
    return out;
  };
  return (n) => [
    ...new Set(n.input.flatMap((i) => (sizes.has(i) ? [i] : producer.has(i) ? (behind(producer.get(i)!) ?? []) : []))),
  ];
}

/** Which parent output a subgraph output becomes: If/Scan k → k, Loop body k → k - 1 (output 0 is the condition). */
function parentIndex(u: Extract<Use, { kind: 'subgraph-output' }>, k: number): boolean {
  return u.parent.opType === 'Loop' ? u.index === k + 1 : u.index === k;
}

/**
 * A model input that is one integer or bool (a sample rate, a flag). Larger integer inputs (token ids,
 * masks) are data; what the model computes from them for shapes is caught by rule 2.
 */
function isScalarControlInput(vi: GraphProto['input'][number]): boolean {
  const t = vi.type?.value.case === 'tensorType' ? vi.type.value.value : undefined;
  if (!t?.shape || !INTEGER_OR_BOOL.has(t.elemType)) return false;
  return t.shape.dim.every((d) => d.value.case === 'dimValue' && d.value.value === 1n);
}

/** Rule 1 for one node, its subgraphs already visited. */
function producesShapeDerived(
  n: NodeProto,
  subgraphs: NodeFacts['subgraphs'],
  inputDerived: (i: number) => boolean,
  derived: ReadonlySet<string>,
): boolean {
  if (METADATA_OPS.has(n.opType)) return true;
  if (n.opType === 'Constant') {
    const t = constantTensor(n);
    return t
      ? elements(t.dims) <= SMALL_ELEMENTS
      : n.attribute.every((a) => a.floats.length + a.ints.length + a.strings.length <= SMALL_ELEMENTS);
  }
  // Nodes with no inputs that are not constants make data (RandomNormal and the like).
  if (n.input.every((i) => i === '')) return false;
  if (!n.input.every((_, i) => inputDerived(i))) return false;
  return subgraphs.every((s) => s.graph.output.every((o) => derived.has(o.name)));
}
