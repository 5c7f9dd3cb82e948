import { z } from 'zod';
import { TargetIdSchema } from './target.js';

export const DeviceInfoSchema = z.object({
  /** What computed: native CPU, WebAssembly, or a GPU adapter. */
  kind: z.enum(['cpu', 'wasm', 'gpu']),
  description: z.string(),
  runtime: z.string(),
  runtimeVersion: z.string(),
  threads: z.number().int().optional(),
  simd: z.boolean().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;

/** Which execution provider ran how many nodes, and how we know. */
export const ExecutionPlacementSchema = z.object({
  /**
   * `verbose-log`: ORT's own node placement log (GPU targets, or when forced);
   * `single-ep`: the session had exactly one execution provider and ORT refuses to create a session
   * with a node no provider can run, so every node ran there (CPU and WASM targets, no log needed);
   * `requested`: only what was asked for, no proof (engines that print no placement).
   */
  source: z.enum(['requested', 'verbose-log', 'single-ep', 'profile']),
  providers: z.array(z.object({ ep: z.string(), nodes: z.number().int().nonnegative() })),
  /** Nodes that ran on an EP other than the requested primary one. */
  fallbackNodes: z.array(z.object({ node: z.string(), opType: z.string().optional(), ep: z.string() })).default([]),
});
export type ExecutionPlacement = z.infer<typeof ExecutionPlacementSchema>;

export const RunStatusSchema = z.enum(['ok', 'load-error', 'run-error', 'crash', 'timeout', 'unavailable']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const TimingsSchema = z.object({
  /** Session creation inside the host, ms. */
  loadMs: z.number().nonnegative(),
  /** session.run inside the host, ms. */
  runMs: z.number().nonnegative(),
  /** Harness-side wall time for load + run including transfer, ms. */
  wallMs: z.number().nonnegative(),
});
export type Timings = z.infer<typeof TimingsSchema>;

export const OutputSummarySchema = z.object({
  name: z.string(),
  dtype: z.string(),
  dims: z.array(z.number().int()),
});

/**
 * `--repeat N`: the same inputs run N times in one session; per output, the largest difference of a
 * later run from the first. A target whose runs differ is nondeterministic (GPU reductions, threaded
 * CPU kernels summing in varying order), and its own jitter is the floor any discrepancy is read against.
 */
export const RepeatRecordSchema = z.object({
  runs: z.number().int().min(2),
  nondeterministic: z.boolean(),
  outputs: z.array(z.object({
    output: z.string(),
    inputSet: z.string().optional(),
    maxAbsDiff: z.number().nonnegative(),
    /** Runs (after the first) whose output was not bit-identical to the first run's. */
    differingRuns: z.number().int().nonnegative(),
  })),
});
export type RepeatRecord = z.infer<typeof RepeatRecordSchema>;

export const RunOutcomeSchema = z.object({
  target: TargetIdSchema,
  status: RunStatusSchema,
  error: z.object({ code: z.string().optional(), message: z.string() }).optional(),
  timings: TimingsSchema.optional(),
  device: DeviceInfoSchema.optional(),
  placement: ExecutionPlacementSchema.optional(),
  outputs: z.array(OutputSummarySchema).default([]),
  /** Last lines the host printed (stderr / console), kept for crashes and errors. */
  logTail: z.array(z.string()).default([]),
  repeats: RepeatRecordSchema.optional(),
});
export type RunOutcome = z.infer<typeof RunOutcomeSchema>;
