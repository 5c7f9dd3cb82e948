import { z } from 'zod';
import { TolerancePolicySchema } from './comparison.js';

/** How one input's values are made; recorded in reports as a short description (`uniform[-1,1)`). */
export const ValuePlanSchema = z.discriminatedUnion('kind', [
  /** Floats in [low, high); integers in [low, high] inclusive. */
  z.object({ kind: z.literal('uniform'), low: z.number(), high: z.number() }).strict(),
  z.object({ kind: z.literal('normal'), mean: z.number(), std: z.number().nonnegative() }).strict(),
  z.object({ kind: z.literal('constant'), value: z.number() }).strict(),
  z.object({ kind: z.literal('bernoulli'), p: z.number().min(0).max(1) }).strict(),
  z.object({ kind: z.literal('words') }).strict(),
  /** Along the last axis: a run of 1s, then 0s (attention masks); at least `minFraction` of each row is 1. */
  z.object({ kind: z.literal('prefix-ones'), minFraction: z.number().min(0).max(1) }).strict(),
  /** Along the last axis: 0s then 1s from a random split (token type / segment ids). */
  z.object({ kind: z.literal('segments') }).strict(),
  /** Along the last axis: start, start+1, ... (position ids). */
  z.object({ kind: z.literal('arange'), start: z.number().int() }).strict(),
]);
export type ValuePlan = z.infer<typeof ValuePlanSchema>;

export const HeuristicSettingsSchema = z.object({
  /** Heuristic names to switch off (e.g. `image-like`), or `all`. */
  disabled: z.array(z.string()).optional(),
  sampleRateHz: z.number().int().positive().optional(),
  /** Token ids stay below this when the model's vocabulary cannot be read. */
  tokenIdFallbackLimit: z.number().int().positive().optional(),
  /** Smallest share of 1s per attention-mask row. */
  maskMinFraction: z.number().min(0).max(1).optional(),
}).strict();
export type HeuristicSettings = z.infer<typeof HeuristicSettingsSchema>;

/** The `inputs` section of a config file (`--config`): every field has a CLI flag equivalent. */
export const InputConfigSchema = z.object({
  seed: z.number().int().optional(),
  samples: z.number().int().positive().optional(),
  specialValues: z.boolean().optional(),
  dims: z.record(z.string(), z.number().int().nonnegative()).optional(),
  shapes: z.record(z.string(), z.array(z.number().int().nonnegative())).optional(),
  defaultDim: z.number().int().positive().optional(),
  /** Per-input value plans; they win over heuristics. */
  values: z.record(z.string(), ValuePlanSchema).optional(),
  /** Per-input tensor files (.npy, .npz, .pb, .json), paths relative to the config file. */
  files: z.record(z.string(), z.string()).optional(),
  heuristics: HeuristicSettingsSchema.optional(),
}).strict();
export type InputConfig = z.infer<typeof InputConfigSchema>;

/** A config file for `crossrt run` / `crossrt compare`: inputs and tolerance policy. */
export const CheckConfigSchema = z.object({
  $schema: z.string().optional(),
  inputs: InputConfigSchema.optional(),
  tolerance: TolerancePolicySchema.optional(),
}).strict();
export type CheckConfig = z.infer<typeof CheckConfigSchema>;
