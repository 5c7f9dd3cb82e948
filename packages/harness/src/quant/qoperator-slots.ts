/**
 * QOperator ops as the fp32 op they stand for: which of their inputs carry the fp32 op's inputs (with
 * the scale and zero-point inputs that quantize each), and where the output's scale and zero point are.
 * Input layouts from the ONNX operator specs (QLinearConv, QLinearMatMul) and onnxruntime's
 * com.microsoft contrib ops (QLinearAdd, QLinearMul, QGemm, QLinearConcat, pools, activations).
 */
export interface QuantizedSlot {
  /** The fp32 op's input index. */
  readonly fp32: number;
  /** The QOperator's input index holding it, and the inputs holding its scale and zero point. */
  readonly value: number;
  readonly scale?: number;
  readonly zeroPoint?: number;
  /** An int32 bias whose scale is the product of these inputs (input scale × weight scale). */
  readonly scaleProduct?: readonly [number, number];
}

export interface QOperatorLayout {
  readonly fp32Op: string;
  readonly slots: readonly QuantizedSlot[] | ((inputs: number) => QuantizedSlot[]);
  /** The output's scale and zero-point inputs (absent: the op writes float). */
  readonly output?: { readonly scale: number; readonly zeroPoint: number };
  /** Output-channel axis of the weight at fp32 slot 1, for per-channel scales. */
  readonly weightAxis?: (attrs: { transB: number }, dims: readonly number[]) => number;
}

const unary = (op: string): QOperatorLayout => ({
  fp32Op: op,
  slots: [{ fp32: 0, value: 0, scale: 1, zeroPoint: 2 }],
  output: { scale: 3, zeroPoint: 4 },
});
const binary = (op: string): QOperatorLayout => ({
  fp32Op: op,
  slots: [
    { fp32: 0, value: 0, scale: 1, zeroPoint: 2 },
    { fp32: 1, value: 3, scale: 4, zeroPoint: 5 },
  ],
  output: { scale: 6, zeroPoint: 7 },
});

export const QOPERATOR_LAYOUTS: Readonly<Record<string, QOperatorLayout>> = {
  QLinearConv: {
    fp32Op: 'Conv',
    slots: [
      { fp32: 0, value: 0, scale: 1, zeroPoint: 2 },
      { fp32: 1, value: 3, scale: 4, zeroPoint: 5 },
      { fp32: 2, value: 8, scaleProduct: [1, 4] },
    ],
    output: { scale: 6, zeroPoint: 7 },
    weightAxis: () => 0,
  },
  QLinearMatMul: { ...binary('MatMul'), weightAxis: (_a, dims) => dims.length - 1 },
  QLinearAdd: binary('Add'),
  QLinearMul: binary('Mul'),
  QGemm: {
    fp32Op: 'Gemm',
    slots: [
      { fp32: 0, value: 0, scale: 1, zeroPoint: 2 },
      { fp32: 1, value: 3, scale: 4, zeroPoint: 5 },
      { fp32: 2, value: 6, scaleProduct: [1, 4] },
    ],
    output: { scale: 7, zeroPoint: 8 },
    weightAxis: (a) => (a.transB ? 0 : 1),
  },
  QLinearConcat: {
    fp32Op: 'Concat',
    slots: (inputs) =>
      Array.from({ length: Math.floor((inputs - 2) / 3) }, (_x, i) => ({
        fp32: i,
        value: 2 + 3 * i,
        scale: 3 + 3 * i,
        zeroPoint: 4 + 3 * i,
      })),
    output: { scale: 0, zeroPoint: 1 },
  },
  QLinearGlobalAveragePool: unary('GlobalAveragePool'),
  QLinearAveragePool: unary('AveragePool'),
  QLinearSigmoid: unary('Sigmoid'),
  QLinearLeakyRelu: unary('LeakyRelu'),
  QLinearSoftmax: unary('Softmax'),
};

export function layoutSlots(layout: QOperatorLayout, inputs: number): readonly QuantizedSlot[] {
  return typeof layout.slots === 'function' ? layout.slots(inputs) : layout.slots;
}

/** Ops that only exist in quantized graphs: one of them (or a Q/DQ node) makes a model "quantized". */
export const QUANT_ONLY_OPS: ReadonlySet<string> = new Set([
  ...Object.keys(QOPERATOR_LAYOUTS),
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'ConvInteger',
  'MatMulInteger',
  'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat',
  'QAttention',
  'QEmbedLayerNormalization',
  'QLinearWhere',
  'QLinearReduceMean',
]);

/** Activations a QOperator conv/gemm folds in (onnxruntime's quantizer drops the Relu/Clip after them). */
export const FUSABLE_ACTIVATIONS: ReadonlySet<string> = new Set(['Relu', 'Clip']);
