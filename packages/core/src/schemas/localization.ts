import { z } from 'zod';
import { ToleranceSchema, VerdictSchema } from './comparison.js';
import { RunStatusSchema } from './outcome.js';

/**
 * `crossrt localize` and `crossrt reduce` results, attached to a case. The per-node table in
 * topological order is also the error-growth curve: plot `maxAbsError` (or `maxRelError`) against
 * `index`.
 */

/** One intermediate (or final) tensor compared between the two sides. */
export const TensorDivergenceSchema = z.object({
  tensor: z.string(),
  /** `unavailable`: the tensor could not be exposed or was not produced (reason says why). */
  verdict: z.union([VerdictSchema, z.literal('unavailable')]),
  reason: z.string().optional(),
  dtype: z.string().optional(),
  dims: z.array(z.number().int()).optional(),
  elements: z.number().int().nonnegative().optional(),
  maxAbsError: z.number().optional(),
  maxRelError: z.number().optional(),
  mismatches: z.number().int().nonnegative().optional(),
  cosineSimilarity: z.number().optional(),
  /** 10·log10(Σr² / Σ(a−r)²): the error relative to the tensor's own scale (absent when identical). */
  snrDb: z.number().optional(),
});
export type TensorDivergence = z.infer<typeof TensorDivergenceSchema>;

export const NodeDivergenceStatusSchema = z.enum([
  /** Every compared output agrees. */
  'agree',
  /** The first origin in topological order: the node named as the culprit. */
  'culprit',
  /** An output diverges while every input agrees (another independent origin after the culprit). */
  'origin',
  /** An output diverges and some input already diverged upstream. */
  'diverged',
  /** No output of the node could be compared. */
  'unknown',
]);

export const NodeDivergenceSchema = z.object({
  /** Position in topological order of the main graph. */
  index: z.number().int().nonnegative(),
  name: z.string(),
  opType: z.string(),
  domain: z.string().optional(),
  status: NodeDivergenceStatusSchema,
  outputs: z.array(TensorDivergenceSchema),
  /** Activation inputs that diverge (or could not be compared), when any. */
  divergentInputs: z.array(z.string()).optional(),
  /**
   * Largest abs error over the node's compared activation inputs: 0 means they are bit-identical, so a
   * diverging output starts here; above 0 the node may amplify a difference that was within tolerance.
   */
  inputMaxAbsError: z.number().optional(),
  /** Largest error over the node's compared outputs: the error-growth curve. */
  maxAbsError: z.number().optional(),
  maxRelError: z.number().optional(),
  /** The node holds subgraphs (If/Loop/Scan): nodes inside cannot be exposed, it is judged as one unit. */
  controlFlow: z.boolean().optional(),
  /** Variant comparisons: what differs in the node itself (op type, attributes, initializer values). */
  parameterDiffs: z.array(z.string()).optional(),
  /**
   * Source mode: the exporter scope this module call maps to (`/layer1/layer1.0/conv1/`), the ONNX nodes
   * in it, and modules folded into it by the exporter (a BatchNorm fused into the Conv before it).
   */
  scope: z.string().optional(),
  onnxNodes: z.number().int().nonnegative().optional(),
  fusedModules: z.array(z.string()).optional(),
});
export type NodeDivergence = z.infer<typeof NodeDivergenceSchema>;

export const LocalizationSchema = z.object({
  /**
   * `targets`: one model on two targets; `variants`: two models with the same graph structure;
   * `source`: the source framework's modules (PyTorch forward hooks) against the ONNX tensors their
   * export scopes produced on one target — `nodes` are then module calls in completion order.
   */
  mode: z.enum(['targets', 'variants', 'source']),
  reference: z.string(),
  actual: z.string(),
  tolerance: ToleranceSchema,
  /** Tensors exposed as extra outputs, how many exposure runs they took (chunks), and target runs in all. */
  exposedTensors: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
  culprit: z.object({
    node: z.string(),
    index: z.number().int().nonnegative(),
    opType: z.string(),
    outputs: z.array(z.string()),
    reason: z.string(),
    controlFlow: z.boolean().optional(),
  }).nullable(),
  /** Further nodes where a divergence starts with agreeing inputs (independent origins). */
  otherOrigins: z.array(z.string()).default([]),
  /** Source mode: module calls whose output could be paired with an ONNX tensor, of all calls seen. */
  coverage: z.object({ matched: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).optional(),
  nodes: z.array(NodeDivergenceSchema),
  notes: z.array(z.string()).default([]),
});
export type Localization = z.infer<typeof LocalizationSchema>;

export const ReductionStepSchema = z.object({
  phase: z.enum(['baseline', 'output-bisect', 'input-bisect', 'node-removal', 'output-shift']),
  output: z.string(),
  nodes: z.number().int().nonnegative(),
  reproduced: z.boolean(),
});

export const ReductionSchema = z.object({
  mode: z.enum(['targets', 'variants']),
  reference: z.string(),
  actual: z.string(),
  tolerance: ToleranceSchema,
  /** The output whose verdict the original model shows, and that verdict. */
  originalOutput: z.string(),
  verdict: VerdictSchema,
  /**
   * Set when the discrepancy is a run failure: the actual side fails with `status` (load-error,
   * run-error, crash, timeout) while the reference runs; `verdict` is then `missing`.
   */
  failure: z.object({ status: RunStatusSchema, message: z.string() }).optional(),
  /** Output of the reduced model, which still shows `verdict`. */
  output: z.string(),
  reason: z.string(),
  nodesBefore: z.number().int().nonnegative(),
  nodesAfter: z.number().int().nonnegative(),
  nodes: z.array(z.object({ name: z.string(), opType: z.string() })),
  /** Inputs of the reduced model (cut tensors are fed with the reference side's captured values). */
  inputs: z.array(z.object({ name: z.string(), dtype: z.string(), dims: z.array(z.number().int()), captured: z.boolean() })),
  runs: z.number().int().nonnegative(),
  steps: z.array(ReductionStepSchema),
  /** Files written: the reduced model(s) and inputs. */
  files: z.array(z.string()).default([]),
  notes: z.array(z.string()).default([]),
});
export type Reduction = z.infer<typeof ReductionSchema>;
