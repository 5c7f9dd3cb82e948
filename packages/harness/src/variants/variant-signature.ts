import { CrossrtError, type VariantKind } from '@crossrt/core';
import type { DeclaredDim, ModelProto, ValueSignature } from '@crossrt/model';

export interface VariantSignature {
  readonly label: string;
  readonly inputs: readonly ValueSignature[];
}

export interface MergedInputs {
  /** One declaration per input name over all variants: fixed dims win over symbolic ones. */
  readonly inputs: readonly ValueSignature[];
  /** Symbol names one variant uses for a dim another names differently → the merged name. */
  readonly aliases: ReadonlyMap<string, string>;
  /** Which variants declare each input. */
  readonly declaredBy: ReadonlyMap<string, readonly string[]>;
}

const showDims = (d: readonly DeclaredDim[] | undefined) => (d ? `[${d.map((x) => x ?? '?').join(',')}]` : '[rank?]');

/**
 * The inputs every variant together needs, matched by name. A name declared by several variants must
 * agree on dtype, rank and every fixed dim — otherwise the same generated tensor cannot feed them all and
 * the error says exactly what differs. Symbolic and unknown dims merge (a fixed size beats a symbol).
 */
export function mergeVariantInputs(variants: readonly VariantSignature[]): MergedInputs {
  const merged = new Map<string, { sig: ValueSignature; from: string }>();
  const declaredBy = new Map<string, string[]>();
  const aliases = new Map<string, string>();
  for (const v of variants) {
    for (const input of v.inputs) {
      declaredBy.set(input.name, [...(declaredBy.get(input.name) ?? []), v.label]);
      const prev = merged.get(input.name);
      if (!prev) {
        merged.set(input.name, { sig: input, from: v.label });
        continue;
      }
      const a = prev.sig,
        b = input;
      const what = `input "${input.name}": ${prev.from} declares ${a.elemTypeName ?? a.kind}${showDims(a.dims)}, ${v.label} declares ${b.elemTypeName ?? b.kind}${showDims(b.dims)}`;
      if (a.kind !== b.kind || a.elemTypeName !== b.elemTypeName) {
        throw new CrossrtError(
          'VARIANTS_INCOMPATIBLE',
          `variants differ in the dtype of ${what}`,
          'the same generated tensor cannot feed both; compare variants that take the same input types (e.g. an fp16 model with float32 I/O)',
        );
      }
      if (!a.dims || !b.dims) {
        merged.set(input.name, { sig: a.dims ? a : b, from: a.dims ? prev.from : v.label });
        continue;
      }
      if (a.dims.length !== b.dims.length)
        throw new CrossrtError('VARIANTS_INCOMPATIBLE', `variants differ in the rank of ${what}`);
      const dims = a.dims.map((da, axis): DeclaredDim => {
        const db = b.dims![axis]!;
        if (typeof da === 'number' && typeof db === 'number' && da !== db) {
          throw new CrossrtError('VARIANTS_INCOMPATIBLE', `variants differ in axis ${axis} of ${what}`);
        }
        if (typeof da === 'number') return da;
        if (typeof db === 'number') return db;
        if (typeof da === 'string' && typeof db === 'string' && da !== db) aliases.set(db, da);
        return da ?? db;
      });
      merged.set(input.name, { sig: { ...a, dims }, from: prev.from });
    }
  }
  return { inputs: [...merged.values()].map((m) => m.sig), aliases, declaredBy };
}

const QUANT_OPS = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'QLinearConv',
  'QLinearMatMul',
  'MatMulInteger',
  'ConvInteger',
  'QLinearAdd',
  'QLinearMul',
  'MatMulNBits',
  'QGemm',
  'DynamicQuantizeMatMul',
]);
const ELEM = { float: 1, uint8: 2, int8: 3, float16: 10, bfloat16: 16, uint4: 21, int4: 22 } as const;

/**
 * What precision a model computes in, from its contents: any quantization op → int8; otherwise the
 * float type holding most initializer elements (fp16 / bf16 / fp32). Reported, and overridable.
 */
export function detectVariantKind(model: ModelProto): { kind: VariantKind; why: string } {
  const g = model.graph;
  if (!g) return { kind: 'fp32', why: 'no graph' };
  // Weights can sit in initializers, Constant nodes, and subgraphs of If/Loop/Scan: walk them all.
  const counts = new Map<number, number>();
  let quant: string | undefined;
  const walk = (graph: NonNullable<ModelProto['graph']>) => {
    const tensors = [...graph.initializer];
    for (const n of graph.node) {
      if (!quant && QUANT_OPS.has(n.opType)) quant = n.opType;
      for (const a of n.attribute) {
        if (a.t) tensors.push(a.t);
        if (a.g) walk(a.g);
        for (const sub of a.graphs) walk(sub);
      }
    }
    for (const t of tensors)
      counts.set(t.dataType, (counts.get(t.dataType) ?? 0) + t.dims.reduce((x, d) => x * Number(d), 1));
  };
  walk(g);
  if (quant) return { kind: 'int8', why: `has ${quant} nodes` };
  const f32 = counts.get(ELEM.float) ?? 0,
    f16 = counts.get(ELEM.float16) ?? 0,
    bf16 = counts.get(ELEM.bfloat16) ?? 0;
  if (f16 > f32 && f16 >= bf16) return { kind: 'fp16', why: `${f16} float16 vs ${f32} float32 weight elements` };
  if (bf16 > f32) return { kind: 'bf16', why: `${bf16} bfloat16 vs ${f32} float32 weight elements` };
  return { kind: 'fp32', why: `${f32} float32 weight elements${f16 ? `, ${f16} float16` : ''}` };
}
