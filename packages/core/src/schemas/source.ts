import { z } from 'zod';

/**
 * The source model as the oracle: what produced the reference outputs a case's targets are judged
 * against, instead of another target. Two ways in: an external reference command (any framework) and
 * PyTorch driven by crossrt's Python bridge (torch.onnx.export is then the converter under test).
 */

/** A reference command's run: it read the inputs crossrt wrote as .npz and wrote its outputs as .npz. */
export const ReferenceCommandRecordSchema = z.object({
  command: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable().optional(),
  durationMs: z.number().nonnegative(),
  timedOut: z.boolean(),
  /** How reference arrays were paired with the model's outputs: by name, or by position (names differ). */
  matching: z.enum(['name', 'position']).optional(),
  /** Reference array → ONNX output, for every pair compared. */
  pairs: z.array(z.object({ reference: z.string(), output: z.string() })).default([]),
  /** Reference arrays no model output was paired with (reported, not compared). */
  extraArrays: z.array(z.string()).default([]),
  /** Last lines the command printed (stdout and stderr). */
  logTail: z.array(z.string()).default([]),
});
export type ReferenceCommandRecord = z.infer<typeof ReferenceCommandRecordSchema>;

/**
 * The failure classes of the ONNX converter failure study (Jajal et al.): the exporter raised; it wrote a
 * model the ONNX checker or every target refuses; the model runs but computes other numbers than the
 * source (at the outputs or, layer-wise, inside); or it passes.
 */
export const ConverterFailureClassSchema = z.enum(['export-error', 'invalid-model', 'numeric-mismatch', 'pass']);
export type ConverterFailureClass = z.infer<typeof ConverterFailureClassSchema>;

/** One point of an export matrix: how the converter was asked to convert. */
export const ExportSettingsSchema = z.object({
  exporter: z.string().describe('e.g. torch.onnx.export'),
  opset: z.number().int().positive(),
  constantFolding: z.boolean(),
  /** Input name → axes exported as symbolic (dynamic axes); empty: static shapes. */
  dynamicAxes: z.record(z.string(), z.array(z.number().int().nonnegative())).default({}),
});
export type ExportSettings = z.infer<typeof ExportSettingsSchema>;

/** A PyTorch source case: the module, the export that made its ONNX model, and how it went. */
export const SourceRecordSchema = z.object({
  framework: z.literal('torch'),
  frameworkVersion: z.string(),
  /** The Python interpreter the bridge ran in, and why that one. */
  python: z.object({ path: z.string(), version: z.string(), chosenBy: z.string() }),
  /** `models.py:build` as given. */
  callable: z.string(),
  moduleClass: z.string(),
  export: ExportSettingsSchema,
  exporterVersion: z.string(),
  failureClass: ConverterFailureClassSchema,
  /** One line on why this class. */
  reason: z.string(),
  /** The exporter raised: exception type, message and the last traceback lines. */
  exportError: z.object({ type: z.string(), message: z.string(), traceback: z.array(z.string()).default([]) }).optional(),
  /** onnx.checker.check_model on the exported model. */
  checker: z.object({ ok: z.boolean(), message: z.string().optional() }).optional(),
  /** Warnings the exporter emitted (Python warnings, deduplicated). */
  warnings: z.array(z.string()).default([]),
  exportMs: z.number().nonnegative().optional(),
  /** Module forward time per input set, ms (the oracle's own cost). */
  forwardMs: z.number().nonnegative().optional(),
  /** Module outputs flattened to names: `output`, `output.0`, `logits`, `boxes.1`… */
  outputs: z.array(z.object({ name: z.string(), dtype: z.string(), dims: z.array(z.number().int()) })).default([]),
});
export type SourceRecord = z.infer<typeof SourceRecordSchema>;
