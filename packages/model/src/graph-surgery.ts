import { clone, create } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { CrossrtError } from '@crossrt/core/base';
import { inferElemTypes } from './elem-type-inference.js';

/**
 * Graph surgery on the main graph: expose intermediate tensors as extra outputs, and extract the
 * subgraph between cut tensors as a standalone model. Both return a new ModelProto; the input is
 * never changed. Types come from value_info, else from the small element-type inference
 * (elem-type-inference.ts); a tensor whose type is still unknown gets an output with no type,
 * which onnxruntime fills in when it builds the session.
 */

/** Names produced by nodes of the main graph, in graph order. */
export function intermediateTensorNames(proto: ModelProto): string[] {
  const g = requireGraph(proto);
  const outputs = new Set(g.output.map((o) => o.name));
  return g.node.flatMap((n) => n.output).filter((o) => o !== '' && !outputs.has(o));
}

export interface ExposeResult {
  readonly model: ModelProto;
  /** The outputs added, in order. */
  readonly exposed: readonly string[];
  /** Exposed tensors whose element type crossrt could not derive (left for the runtime to infer). */
  readonly untyped: readonly string[];
}

/** Add tensors (or every intermediate tensor, with `'all'`) to the graph outputs. */
export function exposeTensors(proto: ModelProto, names: readonly string[] | 'all'): ExposeResult {
  const model = clone(ModelProtoSchema, proto);
  const g = requireGraph(model);
  const produced = new Set(g.node.flatMap((n) => n.output));
  const known = new Set([...produced, ...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name)]);
  const wanted = names === 'all' ? intermediateTensorNames(model) : [...new Set(names)];
  const missing = wanted.filter((n) => !known.has(n));
  if (missing.length > 0) throw notFound(missing);
  const already = new Set(g.output.map((o) => o.name));
  const declared = valueInfoByName(g);
  const types = inferElemTypes(g);
  const exposed: string[] = [];
  const untyped: string[] = [];
  for (const name of wanted) {
    if (already.has(name)) continue;
    const vi = typedValueInfo(name, declared, types);
    if (!vi.type) untyped.push(name);
    g.output.push(vi);
    exposed.push(name);
  }
  return { model, exposed, untyped };
}

export interface ExtractResult {
  readonly model: ModelProto;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: number;
}

/**
 * The subgraph computing `outputs` from `inputs`: walk back from the outputs and stop at the cut
 * tensors, initializers and graph inputs. The cut tensors become the new model's graph inputs;
 * original graph inputs the subgraph still reads are kept as inputs (a cut that does not separate them
 * leaves them needed), listed after the cut ones.
 */
export function extractSubgraph(
  proto: ModelProto,
  inputs: readonly string[],
  outputs: readonly string[],
): ExtractResult {
  const src = requireGraph(proto);
  if (outputs.length === 0) throw new CrossrtError('USAGE', 'extracting a subgraph needs at least one output tensor');
  const producer = new Map<string, number>();
  src.node.forEach((n, i) => n.output.forEach((o) => o !== '' && producer.set(o, i)));
  const initializers = new Map(src.initializer.map((t) => [t.name, t]));
  const graphInputs = new Set(src.input.map((i) => i.name));
  const exists = (n: string) => producer.has(n) || initializers.has(n) || graphInputs.has(n);
  const missing = [...inputs, ...outputs].filter((n) => !exists(n));
  if (missing.length > 0) throw notFound(missing);

  const cut = new Set(inputs);
  const keep = new Set<number>();
  const usedInitializers = new Set<string>();
  const extraInputs: string[] = [];
  const stack = [...outputs];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    if (cut.has(name)) continue;
    if (initializers.has(name)) {
      usedInitializers.add(name);
      continue;
    }
    const p = producer.get(name);
    if (p === undefined) {
      // Neither produced nor initialized: an original graph input (existence was checked), or an
      // outer-scope name only visible inside a subgraph (not possible for the main graph).
      if (graphInputs.has(name)) extraInputs.push(name);
      continue;
    }
    if (keep.has(p)) continue;
    keep.add(p);
    stack.push(...nodeReads(src.node[p]!));
  }
  const unreached = inputs.filter((i) => !seen.has(i));
  if (unreached.length > 0) {
    throw new CrossrtError(
      'USAGE',
      `cut input(s) ${unreached.map((n) => `"${n}"`).join(', ')} do not feed the requested outputs`,
      'pick input tensors upstream of the outputs',
    );
  }
  const declared = valueInfoByName(src);
  const types = inferElemTypes(src);
  const model = clone(ModelProtoSchema, proto);
  const g = model.graph!;
  const nodeList = [...keep].sort((a, b) => a - b).map((i) => g.node[i]!);
  g.node = nodeList;
  g.initializer = g.initializer.filter((t) => usedInitializers.has(t.name));
  g.sparseInitializer = [];
  const newInputs = [
    ...inputs,
    ...extraInputs
      .filter((x) => !cut.has(x))
      .sort((a, b) => src.input.findIndex((i) => i.name === a) - src.input.findIndex((i) => i.name === b)),
  ];
  g.input = newInputs.map((name) => {
    const vi = typedValueInfo(name, declared, types);
    if (!vi.type) {
      throw new CrossrtError(
        'GRAPH_TENSOR_NOT_FOUND',
        `cannot tell the element type of cut input "${name}"`,
        'choose a cut tensor produced by a standard ONNX op, or add value_info for it',
      );
    }
    return vi;
  });
  g.output = outputs.map((name) => typedValueInfo(name, declared, types));
  const kept = new Set([...newInputs, ...outputs, ...nodeList.flatMap((n) => n.output)]);
  g.valueInfo = g.valueInfo.filter((v) => kept.has(v.name) && !newInputs.includes(v.name) && !outputs.includes(v.name));
  return { model, inputs: newInputs, outputs: [...outputs], nodes: nodeList.length };
}

/** Names a node reads: its inputs plus outer-scope names its subgraphs (If/Loop/Scan bodies) use. */
export function nodeReads(n: NodeProto): string[] {
  const reads = n.input.filter((i) => i !== '');
  for (const a of n.attribute)
    for (const sub of [...(a.g ? [a.g] : []), ...a.graphs]) reads.push(...outerScopeReads(sub));
  return reads;
}

function outerScopeReads(g: GraphProto): string[] {
  const local = new Set([
    ...g.input.map((i) => i.name),
    ...g.initializer.map((t) => t.name),
    ...g.node.flatMap((n) => n.output),
  ]);
  return [...new Set(g.node.flatMap(nodeReads))].filter((x) => !local.has(x));
}

function requireGraph(proto: ModelProto): GraphProto {
  if (!proto.graph) throw new CrossrtError('MODEL_NO_GRAPH', 'the model has no graph');
  return proto.graph;
}

function notFound(names: readonly string[]): CrossrtError {
  return new CrossrtError(
    'GRAPH_TENSOR_NOT_FOUND',
    `no tensor named ${names.map((n) => `"${n}"`).join(', ')} in the main graph`,
    'list tensor names with `crossrt inspect --tensors`',
  );
}

function valueInfoByName(g: GraphProto): Map<string, ValueInfoProto> {
  const m = new Map<string, ValueInfoProto>();
  for (const vi of [...g.input, ...g.output, ...g.valueInfo]) if (vi.type && !m.has(vi.name)) m.set(vi.name, vi);
  return m;
}

/** A ValueInfo for `name`: the declared one when it has a type, else one carrying the inferred element type (shape unknown). */
function typedValueInfo(
  name: string,
  declared: Map<string, ValueInfoProto>,
  types: Map<string, number>,
): ValueInfoProto {
  const d = declared.get(name);
  if (d?.type) return clone(ValueInfoProtoSchema, d);
  const elemType = types.get(name);
  if (elemType === undefined) return create(ValueInfoProtoSchema, { name });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType }) },
    }),
  });
}
