import { CrossrtError } from '@crossrt/core';
import { nodeReads, type ModelProto } from '@crossrt/model';

type NodeProto = NonNullable<ModelProto['graph']>['node'][number];

/** One node of the main graph, in topological order, with what it reads and writes. */
export interface OrderedNode {
  /** Position in topological order. */
  readonly index: number;
  /** Position in the file's node list. */
  readonly fileIndex: number;
  /** The node's name, or `OpType#fileIndex` when it has none. */
  readonly label: string;
  readonly opType: string;
  readonly domain: string;
  /** Tensors it reads (outer-scope reads of its subgraphs included), empty names dropped. */
  readonly reads: readonly string[];
  readonly outputs: readonly string[];
  /** It holds subgraphs (If/Loop/Scan bodies): nodes inside are not main-graph tensors. */
  readonly controlFlow: boolean;
  readonly proto: NodeProto;
}

export interface GraphOrder {
  readonly nodes: readonly OrderedNode[];
  /** Tensor name → topological index of the node producing it. */
  readonly producer: ReadonlyMap<string, number>;
  readonly initializers: ReadonlySet<string>;
  readonly graphInputs: ReadonlySet<string>;
  readonly graphOutputs: readonly string[];
}

/**
 * Topological order of the main graph (Kahn's algorithm, ties broken by file position so an already
 * sorted graph keeps its order). ONNX requires sorted graphs, but exporters do not always comply.
 */
export function graphOrder(proto: ModelProto): GraphOrder {
  const g = proto.graph;
  if (!g) throw new CrossrtError('MODEL_NO_GRAPH', 'the model has no graph');
  const initializers = new Set(g.initializer.map((t) => t.name));
  const graphInputs = new Set(g.input.map((i) => i.name).filter((n) => !initializers.has(n)));
  const producedAt = new Map<string, number>();
  g.node.forEach((n, i) => n.output.forEach((o) => o !== '' && producedAt.set(o, i)));
  const reads = g.node.map((n) => [...new Set(nodeReads(n))]);
  const waitingOn = reads.map((r) => new Set(r.filter((x) => producedAt.has(x)).map((x) => producedAt.get(x)!)));
  const consumers = g.node.map(() => [] as number[]);
  waitingOn.forEach((deps, i) => deps.forEach((d) => consumers[d]!.push(i)));
  const pending = waitingOn.map((d) => d.size);
  // A small sorted frontier keeps file order among ready nodes; graphs here have at most a few 10k nodes.
  const ready = pending.flatMap((p, i) => (p === 0 ? [i] : []));
  const order: number[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(i);
    for (const c of consumers[i]!) {
      if (--pending[c]! === 0) insertSorted(ready, c);
    }
  }
  if (order.length !== g.node.length) {
    throw new CrossrtError(
      'MODEL_INVALID',
      `the main graph has a cycle (${g.node.length - order.length} node(s) never become ready)`,
      'check the model with onnx.checker',
    );
  }
  const nodes = order.map((fileIndex, index): OrderedNode => {
    const n = g.node[fileIndex]!;
    return {
      index,
      fileIndex,
      label: n.name || `${n.opType}#${fileIndex}`,
      opType: n.opType,
      domain: n.domain,
      reads: reads[fileIndex]!,
      outputs: n.output.filter((o) => o !== ''),
      controlFlow: n.attribute.some((a) => a.g !== undefined || a.graphs.length > 0),
      proto: n,
    };
  });
  const producer = new Map<string, number>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n.index);
  return { nodes, producer, initializers, graphInputs, graphOutputs: g.output.map((o) => o.name) };
}

function insertSorted(xs: number[], x: number): void {
  let i = xs.length;
  while (i > 0 && xs[i - 1]! > x) i--;
  xs.splice(i, 0, x);
}

/**
 * Nodes computing `outputs` when the tensors in `cut` are fed from outside: walk back from the
 * outputs, stopping at cut tensors, initializers and graph inputs. Returns topological indices
 * (ascending) and the cut tensors and graph inputs the kept nodes actually read.
 */
export function coneOf(
  order: GraphOrder,
  outputs: readonly string[],
  cut: ReadonlySet<string> = new Set(),
): { nodes: number[]; cutReads: string[]; graphInputReads: string[] } {
  const keep = new Set<number>();
  const cutReads = new Set<string>();
  const graphInputReads = new Set<string>();
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (cut.has(name)) {
      cutReads.add(name);
      continue;
    }
    if (order.initializers.has(name)) continue;
    const p = order.producer.get(name);
    if (p === undefined) {
      if (order.graphInputs.has(name)) graphInputReads.add(name);
      continue;
    }
    if (keep.has(p)) continue;
    keep.add(p);
    stack.push(...order.nodes[p]!.reads);
  }
  return { nodes: [...keep].sort((a, b) => a - b), cutReads: [...cutReads], graphInputReads: [...graphInputReads] };
}

/**
 * Ops whose outputs are sequences, maps or optionals: they cannot be exposed as tensor outputs and
 * crossrt cannot carry them between processes, so localization skips them.
 */
export const NON_TENSOR_OUTPUT_OPS: ReadonlySet<string> = new Set([
  'SequenceConstruct',
  'SequenceEmpty',
  'SequenceInsert',
  'SequenceErase',
  'SplitToSequence',
  'Optional',
  'ZipMap',
]);
