import type { AttributeProto, GraphProto, NodeProto, TypeProto } from 'onnx-buf';

/**
 * A small element-type inference over the main graph: enough to give exposed intermediate tensors and
 * cut inputs a declared element type when value_info lacks one. Shapes are not inferred (left unknown,
 * which ONNX allows for graph inputs and outputs). Ops not in the rules take their first typed input's
 * type — true for the element-wise, shape-moving and reduction ops that make up most graphs. A tensor
 * whose type cannot be derived is left out of the map; callers leave its type empty and onnxruntime
 * infers it at session creation. A wrong guess is worse than no answer: a declared output type that
 * disagrees with the runtime's makes it refuse the whole model, so rules answer unknown when unsure.
 */
const BOOL_OPS = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
  'IsNaN',
  'IsInf',
  'RegexFullMatch',
]);
const INT64_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression']);
/** Ops whose output type is the `output_datatype` attribute, float by default. */
const OUTPUT_DATATYPE_OPS = new Set(['HannWindow', 'HammingWindow', 'BlackmanWindow', 'MelWeightMatrix']);
/**
 * Ops whose inputs all share the output's type T, so any typed input tells it. Every other op only
 * trusts its first (data) input: the later ones are often axes, indices, pads or shapes (int64), and
 * Unsqueeze(data = untyped If output, axes = int64) must not come out int64.
 */
const SHARED_TYPE_OPS = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Mod',
  'Sum',
  'Mean',
  'Max',
  'Min',
  'Concat',
  'MatMul',
  'Gemm',
  'Conv',
  'ConvTranspose',
  'PRelu',
  'BitwiseAnd',
  'BitwiseOr',
  'BitwiseXor',
  'BitShift',
  'Clip',
  'Einsum',
  'InstanceNormalization',
  'LSTM',
  'GRU',
  'RNN',
]);
const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;
const STRING = 8;

function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return n.attribute.find((a) => a.name === name);
}

export function elemTypeOf(type: TypeProto | undefined): number | undefined {
  return type?.value.case === 'tensorType' && type.value.value.elemType !== 0 ? type.value.value.elemType : undefined;
}

/** Output element types of one node, given a lookup for its inputs' types (undefined = unknown). */
export function inferNodeOutputTypes(
  n: NodeProto,
  typeOf: (name: string) => number | undefined,
): (number | undefined)[] {
  const dataType = n.input[0] ? typeOf(n.input[0]) : undefined;
  const firstTyped = SHARED_TYPE_OPS.has(n.opType)
    ? n.input.map((i) => (i === '' ? undefined : typeOf(i))).find((t) => t !== undefined)
    : dataType;
  const all = (t: number | undefined) => n.output.map(() => t);
  if (n.domain !== '' && n.domain !== 'ai.onnx') return all(undefined);
  switch (n.opType) {
    case 'Cast':
      return all(Number(attr(n, 'to')?.i ?? 0n) || undefined);
    case 'CastLike':
      return all(typeOf(n.input[1] ?? ''));
    case 'Constant': {
      const a = n.attribute[0];
      if (!a) return all(undefined);
      if (a.t) return all(a.t.dataType);
      if (a.name === 'value_float' || a.name === 'value_floats') return all(FLOAT);
      if (a.name === 'value_int' || a.name === 'value_ints') return all(INT64);
      if (a.name === 'value_string' || a.name === 'value_strings') return all(STRING);
      return all(undefined);
    }
    case 'ConstantOfShape':
      return all(attr(n, 'value')?.t?.dataType ?? FLOAT);
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'Multinomial':
      return all(Number(attr(n, 'dtype')?.i ?? 0n) || (n.opType === 'Multinomial' ? 6 : firstTyped));
    case 'RandomNormal':
    case 'RandomUniform':
      return all(Number(attr(n, 'dtype')?.i ?? 0n) || FLOAT);
    case 'Bernoulli':
      return all(Number(attr(n, 'dtype')?.i ?? 0n) || firstTyped);
    case 'Dropout':
      return [firstTyped, BOOL];
    case 'OneHot':
      return all(typeOf(n.input[2] ?? ''));
    case 'TfIdfVectorizer':
      return all(FLOAT);
    case 'LayerNormalization':
      return [firstTyped, Number(attr(n, 'stash_type')?.i ?? 1n), Number(attr(n, 'stash_type')?.i ?? 1n)];
    case 'StringSplit':
      return [STRING, INT64];
    case 'SequenceLength':
      return all(INT64);
    case 'OptionalHasElement':
      return all(BOOL);
    // Control flow: the body graph declares what it yields (Loop's first body output is the condition).
    case 'If':
      return n.output.map(
        (_, i) =>
          elemTypeOf(attr(n, 'then_branch')?.g?.output[i]?.type) ??
          elemTypeOf(attr(n, 'else_branch')?.g?.output[i]?.type),
      );
    case 'Loop':
      return n.output.map((_, i) => elemTypeOf(attr(n, 'body')?.g?.output[i + 1]?.type));
    case 'Scan':
      return n.output.map((_, i) => elemTypeOf(attr(n, 'body')?.g?.output[i]?.type));
    case 'TopK':
      return [firstTyped, INT64];
    case 'MaxPool':
      return [firstTyped, INT64];
    case 'Unique':
      return [firstTyped, INT64, INT64, INT64];
    case 'QuantizeLinear':
      return all(typeOf(n.input[2] ?? '') ?? (Number(attr(n, 'output_dtype')?.i ?? 0n) || 2));
    case 'DequantizeLinear':
      return all(typeOf(n.input[1] ?? '') ?? FLOAT);
    case 'DynamicQuantizeLinear':
      return [2, FLOAT, 2];
    case 'QLinearConv':
    case 'QLinearMatMul':
      return all(typeOf(n.input[7] ?? ''));
    case 'MatMulInteger':
    case 'ConvInteger':
      return all(6);
    case 'Where':
      return all(typeOf(n.input[1] ?? '') ?? typeOf(n.input[2] ?? ''));
    case 'Range':
    case 'Expand':
    case 'Reshape':
    case 'Tile':
    case 'Gather':
    case 'GatherElements':
    case 'GatherND':
      return all(typeOf(n.input[0] ?? ''));
    case 'Pow':
      return all(typeOf(n.input[0] ?? ''));
    case 'LSTM':
    case 'GRU':
    case 'RNN':
      return all(firstTyped);
    case 'StringNormalizer':
      return all(STRING);
    default:
      if (BOOL_OPS.has(n.opType)) return all(BOOL);
      if (INT64_OPS.has(n.opType)) return all(INT64);
      if (OUTPUT_DATATYPE_OPS.has(n.opType)) return all(Number(attr(n, 'output_datatype')?.i ?? 0n) || FLOAT);
      // Sequence and optional values carry their element type inside; no general rule, let the runtime infer.
      if (
        n.opType.startsWith('Sequence') ||
        n.opType === 'ConcatFromSequence' ||
        n.opType === 'SplitToSequence' ||
        n.opType.startsWith('Optional')
      )
        return all(undefined);
      return all(firstTyped);
  }
}

/** Element types of every tensor of the main graph that can be known: declared first, inferred after. */
export function inferElemTypes(g: GraphProto): Map<string, number> {
  const types = new Map<string, number>();
  const declare = (name: string, t: number | undefined) => {
    if (t !== undefined && name !== '' && !types.has(name)) types.set(name, t);
  };
  for (const vi of [...g.input, ...g.output, ...g.valueInfo]) declare(vi.name, elemTypeOf(vi.type));
  for (const t of g.initializer) declare(t.name, t.dataType);
  for (const s of g.sparseInitializer) declare(s.values?.name ?? '', s.values?.dataType);
  // Nodes are topologically sorted in a valid ONNX graph, so one pass in order suffices.
  for (const n of g.node) {
    const outs = inferNodeOutputTypes(n, (name) => types.get(name));
    n.output.forEach((o, i) => declare(o, outs[i]));
  }
  return types;
}
