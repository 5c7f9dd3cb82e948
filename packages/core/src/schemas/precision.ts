import { z } from 'zod';

/**
 * `crossrt precision`: which nodes of a float32 model must stay float32 so its float16 conversion meets
 * a policy against the float32 model, searched with real runs on the targets given.
 */

/** What the mixed model must meet against the float32 model, output by output (all criteria given). */
export const PrecisionPolicySchema = z.object({
  minSnrDb: z.number().optional(),
  minCosine: z.number().optional(),
  /** Top-1 agreement over rows of class-score outputs (outputs that are not class scores skip it). */
  minTop1: z.number().optional(),
  /** Element-wise |a-r| <= atol + rtol*|r| for every element. */
  allclose: z.object({ rtol: z.number(), atol: z.number() }).optional(),
});
export type PrecisionPolicy = z.infer<typeof PrecisionPolicySchema>;

/** One criterion on one output of one input set on one target. `null` value/margin: -inf (NaN/Inf where the reference is finite). */
export const PolicyCheckSchema = z.object({
  target: z.string(),
  output: z.string(),
  inputSet: z.string().optional(),
  criterion: z.enum(['snr', 'cosine', 'top1', 'allclose']),
  value: z.number().nullable(),
  threshold: z.number(),
  /** value - threshold (allclose: 1 - the largest |a-r| / (atol + rtol*|r|)); >= 0 passes. */
  margin: z.number().nullable(),
  pass: z.boolean(),
});
export type PolicyCheck = z.infer<typeof PolicyCheckSchema>;

export const BlockedNodeSchema = z.object({
  node: z.string(),
  opType: z.string(),
  /** '' for the main graph, else `<outer node key>/<attribute>`. */
  graph: z.string(),
  /**
   * overflow: it writes or reads a tensor whose float32 values leave the float16 range; error-growth:
   * it lost SNR in the all-fp16 model (errorGrowthDb); trial: its own loss could not be measured (a
   * node inside an If/Loop/Scan body, or runtime-fused) but the trials show the policy fails without
   * it; default-op: the converter keeps its op type in float32.
   */
  reason: z.enum(['overflow', 'error-growth', 'trial', 'default-op']),
  /** dB of SNR the node lost in the all-fp16 model (its inputs' SNR minus its output's). */
  errorGrowthDb: z.number().optional(),
  why: z.string().optional(),
});
export type BlockedNode = z.infer<typeof BlockedNodeSchema>;

export const PrecisionTrialSchema = z.object({
  /** Float32 nodes the trial kept (beyond the default ops). */
  fp32Nodes: z.number().int().nonnegative(),
  step: z.enum(['all-fp16', 'seeds', 'grow', 'bisect', 'minimize', 'confirm']),
  pass: z.boolean(),
  /** Smallest margin over every check; null for -inf or a target that did not run. */
  worstMargin: z.number().nullable(),
  note: z.string().optional(),
});

export const PrecisionSearchSchema = z.object({
  to: z.literal('fp16'),
  /** search: the block-list was searched; check: a given block-list was judged (`--check`). */
  mode: z.enum(['search', 'check']).default('search'),
  keepIoTypes: z.boolean(),
  policy: PrecisionPolicySchema,
  /** Targets the search ran on (mixed model against the float32 model on the same target). */
  targets: z.array(z.string()),
  /** Targets dropped because the all-fp16 model does not run there at all, with the reason. */
  unsupportedTargets: z.array(z.object({ target: z.string(), reason: z.string() })),
  nodes: z.object({ total: z.number().int(), float: z.number().int(), candidates: z.number().int() }),
  /** Float initializers/constants outside the float16 range, clamped by the converter. */
  outOfRangeWeights: z.array(z.object({ tensor: z.string(), elements: z.number().int(), overflow: z.number().int(), underflow: z.number().int(), maxAbs: z.number() })),
  /** Activations whose float32 values exceed 65504 in magnitude (first target's float32 run). */
  overflowTensors: z.array(z.object({ tensor: z.string(), maxAbs: z.number(), producer: z.string() })),
  /** The block-list: nodes the mixed model keeps in float32. */
  blockList: z.array(BlockedNodeSchema),
  /** Nodes kept by the converter's default op list (also float32 in the mixed model). */
  defaultFp32: z.array(BlockedNodeSchema),
  /** The all-fp16 model against the float32 model, and the mixed model against it. */
  before: z.array(PolicyCheckSchema),
  after: z.array(PolicyCheckSchema),
  met: z.boolean(),
  /** Each removal from the block-list was tried and failed (false when the run budget ran out first). */
  minimal: z.boolean(),
  trials: z.array(PrecisionTrialSchema),
  /** Model runs: every target × (float32 reference, exposures, trials). */
  runs: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  castsInserted: z.number().int().nonnegative(),
  /** Files written: the mixed-precision model and the block-list JSON. */
  files: z.object({ model: z.string().optional(), blockList: z.string().optional() }).optional(),
  notes: z.array(z.string()),
});
export type PrecisionSearch = z.infer<typeof PrecisionSearchSchema>;

/** The block-list file `crossrt precision` writes (and a suite's precision step reads back). */
export const BLOCK_LIST_SCHEMA_ID = 'crossrt.fp16-block-list';
export const BlockListFileSchema = z.object({
  schema: z.literal(BLOCK_LIST_SCHEMA_ID),
  model: z.string(),
  modelSha256: z.string(),
  keepIoTypes: z.boolean(),
  policy: PrecisionPolicySchema,
  targets: z.array(z.string()),
  nodes: z.array(BlockedNodeSchema),
});
export type BlockListFile = z.infer<typeof BlockListFileSchema>;
