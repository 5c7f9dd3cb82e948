import { z } from 'zod';
import { ComparisonSchema, ToleranceSchema } from './comparison.js';
import { LocalizationSchema, ReductionSchema } from './localization.js';
import { PlacementPolicySchema, RunOutcomeSchema } from './outcome.js';
import { PrecisionSearchSchema } from './precision.js';
import { QuantErrorSchema } from './quant-error.js';
import { ReferenceCommandRecordSchema, SourceRecordSchema } from './source.js';
import { TargetIdSchema } from './target.js';

export * from './localization.js';
export * from './source.js';
export * from './precision.js';
export * from './quant-error.js';

export const REPORT_SCHEMA_ID = 'crossrt.report';
export const REPORT_VERSION = 1;

export const DimResolutionSchema = z.object({
  input: z.string(),
  axis: z.number().int().nonnegative(),
  /** The symbolic name in the model, or null for an unnamed unknown dim. */
  symbol: z.string().nullable(),
  value: z.number().int().nonnegative(),
  source: z.enum(['model', 'dim-flag', 'shape-flag', 'bound', 'default', 'file', 'search']),
  note: z.string().optional(),
});
export type DimResolution = z.infer<typeof DimResolutionSchema>;

export const InputRecordSchema = z.object({
  name: z.string(),
  dtype: z.string(),
  dims: z.array(z.number().int()),
  /** How values were made, e.g. `uniform[-1,1)` or `file:x.pb`. */
  generator: z.string(),
  /** The semantic heuristic that chose the generator, when one fired. */
  heuristic: z.string().optional(),
  sha256: z.string(),
  /** The input set this tensor belongs to (`sample0`, `sample1`, …, `special-values`) when a run has several. */
  set: z.string().optional(),
});
export type InputRecord = z.infer<typeof InputRecordSchema>;

export const ModelRecordSchema = z.object({
  path: z.string(),
  sha256: z.string(),
  bytes: z.number().int(),
  irVersion: z.number().int(),
  opsets: z.record(z.string(), z.number().int()),
  producer: z.string(),
  nodes: z.number().int(),
  /** Distinct op types of the main graph (`domain.Op` outside ai.onnx), for tallies of what fails. */
  opTypes: z.array(z.string()).optional(),
});
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

export const CaseVerdictSchema = z.enum(['pass', 'fail', 'error', 'skipped', 'convert-error', 'known-failure']);

/** A converter step that produced this case's model (suite files), with what it printed. */
export const ConversionRecordSchema = z.object({
  command: z.string(),
  output: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable().optional(),
  durationMs: z.number().nonnegative(),
  timedOut: z.boolean(),
  /** What the converter's version command printed (first line), when one is configured. */
  version: z.string().optional(),
  logTail: z.array(z.string()).default([]),
});
export type ConversionRecord = z.infer<typeof ConversionRecordSchema>;

export const BaselineClassSchema = z.enum(['unchanged', 'drift', 'regression', 'improvement', 'new', 'removed']);
export type BaselineClass = z.infer<typeof BaselineClassSchema>;

/** One (case, target[, output]) against the stored golden outputs of an earlier run. */
export const BaselineDeltaSchema = z.object({
  target: z.string(),
  output: z.string().optional(),
  classification: BaselineClassSchema,
  reason: z.string(),
  /** Metrics of the new output against the golden one (drift, regression). */
  maxAbsError: z.number().optional(),
  maxRelError: z.number().optional(),
  mismatches: z.number().int().optional(),
  runtimeVersion: z.object({ baseline: z.string(), current: z.string() }).optional(),
});
export type BaselineDelta = z.infer<typeof BaselineDeltaSchema>;

export const CaseResultSchema = z.object({
  id: z.string(),
  model: ModelRecordSchema.optional(),
  /** Set when the case could not be prepared (unreadable model, unresolvable dims). */
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  inputs: z.array(InputRecordSchema).default([]),
  dims: z.array(DimResolutionSchema).default([]),
  outcomes: z.array(RunOutcomeSchema).default([]),
  comparisons: z.array(ComparisonSchema).default([]),
  verdict: CaseVerdictSchema,
  /** Why a case was skipped (e.g. sequence or map IO that crossrt cannot feed). */
  skipReason: z.string().optional(),
  /** Facts about how the case was run that change how to read it (e.g. a variant that lacks an input). */
  notes: z.array(z.string()).optional(),
  conversion: ConversionRecordSchema.optional(),
  /** The case's oracle was an external reference command: how it ran and how its arrays were paired. */
  referenceCommand: ReferenceCommandRecordSchema.optional(),
  /** The case's model was exported from a PyTorch module, which is its oracle (`crossrt torch`). */
  source: SourceRecordSchema.optional(),
  baseline: z.array(BaselineDeltaSchema).optional(),
  /** Targets this case was listed as a known failure for: still failing, or now passing (fixed). */
  knownFailure: z.object({ targets: z.array(z.string()), nowPassing: z.array(z.string()) }).optional(),
  /** Position in the suite plan, so shard reports merge back into the unsharded order. */
  planIndex: z.number().int().nonnegative().optional(),
  /** `crossrt localize`: per-node divergence table, error-growth curve and the culprit node. */
  localization: LocalizationSchema.optional(),
  /** `crossrt reduce`: the minimal model that still shows the discrepancy. */
  reduction: ReductionSchema.optional(),
  /** `crossrt precision`: the nodes an fp16 conversion must keep in float32, searched with real runs. */
  precision: PrecisionSearchSchema.optional(),
  /** `crossrt quant-error` (or a suite variant's quantError step): per-tensor and per-weight int8 error against the fp32 model. */
  quantError: QuantErrorSchema.optional(),
});
export type CaseResult = z.infer<typeof CaseResultSchema>;

export const ReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  version: z.literal(REPORT_VERSION),
  tool: z.object({ name: z.literal('crossrt'), version: z.string() }),
  command: z.string(),
  createdAt: z.string(),
  environment: z.object({ node: z.string(), platform: z.string(), arch: z.string(), cpus: z.number().int() }),
  settings: z.object({
    targets: z.array(TargetIdSchema),
    /** Target (or `oracle`) the others are compared against. */
    reference: z.string(),
    seed: z.number().int(),
    tolerance: ToleranceSchema,
    /** Value given to symbolic dims nobody named. */
    defaultDim: z.number().int().positive(),
    /** How inputs were generated: PRNG, input sets per run, special-values set. */
    inputPlan: z.object({ prng: z.string(), samples: z.number().int().positive(), specialValues: z.boolean() }).optional(),
    /** How GPU targets' placement was judged (`--placement`); reports from before it were `strict`. */
    placement: PlacementPolicySchema.optional(),
    /**
     * The resident-memory limit of each host process tree: fixed by --memory-limit / CROSSRT_MEMORY_LIMIT_MB,
     * or the default rule from the model's size and the machine's memory (reports from before it: a fixed 4096 MB).
     */
    hostMemoryLimit: z.object({ source: z.enum(['option', 'env', 'default']), fixedMb: z.number().nonnegative().optional(), rule: z.string() }).optional(),
  }),
  /** Set for `crossrt suite run`: which suite file, and which shard of it this report covers. */
  suite: z.object({ name: z.string(), file: z.string(), sha256: z.string(), plannedCases: z.number().int() }).optional(),
  shard: z.object({
    index: z.number().int().positive(), count: z.number().int().positive(),
    /** What chose the shard: `--shard 2/4`, or the CI variables read (`CI_NODE_INDEX=2 CI_NODE_TOTAL=4 (GitLab CI parallel)`). */
    source: z.string().optional(),
  }).optional(),
  /** Set when compared against stored goldens (`--baseline`). */
  baseline: z.object({
    dir: z.string(),
    createdAt: z.string(),
    classes: z.record(z.string(), z.number().int()),
    /** Golden entries of planned cases that this run did not produce. */
    removed: z.array(z.object({ caseId: z.string(), target: z.string() })).default([]),
  }).optional(),
  cases: z.array(CaseResultSchema),
  totals: z.object({
    cases: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    errored: z.number().int(),
    skipped: z.number().int(),
    convertErrors: z.number().int().default(0),
    knownFailures: z.number().int().default(0),
    verdicts: z.record(z.string(), z.number().int()),
    outcomes: z.record(z.string(), z.number().int()),
  }),
});
export type Report = z.infer<typeof ReportSchema>;

/** Case results validated as they were produced (checkCaseResult); validateReport does not parse them again. */
const checkedCases = new WeakSet<object>();
const ReportEnvelopeSchema = ReportSchema.omit({ cases: true });

/**
 * Validate one case result as soon as it exists, while the run still keeps the other core busy; the
 * returned object (zod's output) is what the report must hold for validateReport to skip it.
 */
export function checkCaseResult(c: CaseResult): CaseResult {
  const parsed = CaseResultSchema.parse(c);
  checkedCases.add(parsed);
  return parsed;
}

/** ReportSchema.parse, minus cases that checkCaseResult already validated (the same result otherwise). */
export function validateReport(report: Report): Report {
  const { cases, ...envelope } = report;
  const parts: Record<string, unknown> = { ...ReportEnvelopeSchema.parse(envelope), cases: cases.map((c) => (checkedCases.has(c) ? c : CaseResultSchema.parse(c))) };
  // Keys in the schema's order, as ReportSchema.parse gives them (the JSON file reads the same).
  return Object.fromEntries(Object.keys(ReportSchema.shape).filter((k) => k in parts).map((k) => [k, parts[k]])) as Report;
}

