import { z } from 'zod';

/**
 * `crossrt quant-error` (and a suite variant's `quantError` step): an int8 model (QDQ or QOperator)
 * against the fp32 model it was quantized from, tensor by tensor on one target, weight by weight.
 * `crossrt quantize` writes a QuantizeRecord of what it did.
 */

/** How an int8 tensor was paired with its fp32 tensor. */
export const QuantMatchSchema = z.enum([
  /** The int8 graph computes a float tensor of the same name. */
  'name',
  /** The output of a DequantizeLinear whose QuantizeLinear reads the fp32 tensor (or its renamed twin). */
  'dequantize-linear',
  /** A renamed tensor: same producer op reading the same matched tensors, at the same output position. */
  'structure',
  /** A QOperator output (QLinearConv, QLinearMatMul, QGemm, …) dequantized with its own scale and zero point. */
  'qoperator',
  /** A fused op's output (e.g. QLinearConv with the Relu folded in) paired with the last fp32 op it absorbed. */
  'fused',
]);
export type QuantMatch = z.infer<typeof QuantMatchSchema>;

const Snr = z.number().nullable().describe('10·log10(Σref² / Σ(int8−ref)²) in dB; null when nothing differs (infinite)');

export const QuantActivationErrorSchema = z.object({
  /** The fp32 tensor. */
  tensor: z.string(),
  /** The int8 model's tensor it was paired with. */
  variantTensor: z.string(),
  match: QuantMatchSchema,
  /** Position in the fp32 graph's order: graph inputs first, then node outputs in topological order. */
  index: z.number().int().nonnegative(),
  /** The fp32 node producing it (null for a graph input). */
  node: z.string().nullable(),
  opType: z.string().nullable(),
  elements: z.number().int().nonnegative(),
  snrDb: Snr,
  cosineSimilarity: z.number(),
  maxAbsError: z.number(),
  /** max |int8 − fp32| / max |fp32|. */
  maxAbsErrorRelative: z.number(),
  /** The lowest SNR among the activations its node reads (exact graph inputs count as the jump rule's ceiling); null without compared inputs. */
  inputSnrDb: z.number().nullable(),
  /** min(inputSnrDb, ceiling) − snrDb: how much SNR this node lost. */
  dropDb: z.number().nullable(),
  jump: z.boolean(),
});
export type QuantActivationError = z.infer<typeof QuantActivationErrorSchema>;

export const QuantWeightErrorSchema = z.object({
  /** The fp32 initializer. */
  tensor: z.string(),
  /** The quantized initializer of the int8 model. */
  variantTensor: z.string(),
  /** The fp32 node reading it. */
  node: z.string(),
  opType: z.string(),
  kind: z.enum(['weight', 'bias', 'constant']),
  dtype: z.string(),
  dims: z.array(z.number().int()),
  /** Quantization axis for per-channel parameters, null per tensor. */
  axis: z.number().int().nullable(),
  scales: z.number().int().positive(),
  snrDb: Snr,
  cosineSimilarity: z.number(),
  maxAbsError: z.number(),
  /** max over elements of |dequantized − fp32| / its scale: 0.5 for correct rounding, more for clipping or wrong parameters. */
  maxErrorInScales: z.number(),
});
export type QuantWeightError = z.infer<typeof QuantWeightErrorSchema>;

export const QuantJumpRuleSchema = z.object({
  /** A tensor jumps when it loses at least this many dB against its inputs. */
  dropDb: z.number().nonnegative(),
  /** SNR given to exact inputs (graph inputs fed as is) and the cap on every input's SNR: 8-bit ideal, 6.02·8 dB. */
  ceilingDb: z.number(),
  text: z.string(),
});

/** `quantError: { minSnrDb, … }` on a suite variant: what was required and what failed it. */
export const QuantGateSchema = z.object({
  minSnrDb: z.number().optional(),
  minTensorSnrDb: z.number().optional(),
  minWeightSnrDb: z.number().optional(),
  failOnJump: z.boolean().optional(),
  passed: z.boolean(),
  failures: z.array(z.string()),
});
export type QuantGate = z.infer<typeof QuantGateSchema>;

export const QuantErrorSchema = z.object({
  format: z.enum(['qdq', 'qoperator', 'mixed']),
  reference: z.string(),
  variant: z.string(),
  target: z.string(),
  inputSets: z.number().int().positive(),
  jumpRule: QuantJumpRuleSchema,
  /** The first tensor in graph order that the jump rule flags, with the weights its node reads. */
  firstJump: z.object({
    tensor: z.string(), index: z.number().int(), node: z.string().nullable(), opType: z.string().nullable(),
    snrDb: z.number().nullable(), inputSnrDb: z.number().nullable(), dropDb: z.number(), weights: z.array(z.string()),
  }).nullable(),
  /** Per-tensor activation error, in fp32 graph order. */
  activations: z.array(QuantActivationErrorSchema),
  /** Per-weight quantization error, worst (lowest SNR) first. */
  weights: z.array(QuantWeightErrorSchema),
  /** fp32 node outputs no int8 tensor was matched to (count and the first few). */
  unmatched: z.object({ count: z.number().int().nonnegative(), examples: z.array(z.string()) }),
  /** Final outputs of the plain (unexposed) models: the lowest SNR over them. */
  outputSnrDb: z.number().nullable().optional(),
  gate: QuantGateSchema.optional(),
  runs: z.number().int().nonnegative(),
  notes: z.array(z.string()),
});
export type QuantError = z.infer<typeof QuantErrorSchema>;

/** What `crossrt quantize` did: calibration, what it quantized, and whether the result loads and runs. */
export const QuantizeRecordSchema = z.object({
  model: z.string(),
  out: z.string(),
  target: z.string(),
  calibrationSets: z.number().int().positive(),
  seed: z.number().int(),
  perChannel: z.boolean(),
  /** Weights in 7 bits, [-64, 64] (onnxruntime's reduce_range). */
  reduceRange: z.boolean(),
  activationType: z.enum(['uint8', 'int8']),
  quantizedNodes: z.number().int().nonnegative(),
  activations: z.number().int().nonnegative(),
  weights: z.number().int().nonnegative(),
  biases: z.number().int().nonnegative(),
  /** Status of one run of the written model on the target. */
  check: z.object({ status: z.string(), message: z.string().optional() }),
  durationMs: z.number().nonnegative(),
  notes: z.array(z.string()),
});
export type QuantizeRecord = z.infer<typeof QuantizeRecordSchema>;
