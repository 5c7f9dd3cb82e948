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

/**
 * How the placement of a GPU target was judged: `strict` any CPU node (host/device copies aside)
 * fails the GPU pass; `compute` (default) only compute nodes on the CPU do, shape/control nodes are
 * ORT's intended CPU placement; `off` placement never changes a verdict.
 */
export const PlacementPolicySchema = z.enum(['strict', 'compute', 'off']);
export type PlacementPolicy = z.infer<typeof PlacementPolicySchema>;

/** A node's class for placement: shape/control work ORT keeps on the CPU on purpose, or compute. */
export const PlacementClassSchema = z.enum(['shape', 'compute']);

/** Which execution provider ran how many nodes, and how we know. */
export const ExecutionPlacementSchema = z.object({
  /**
   * `verbose-log`: ORT's own node placement log (GPU targets, or when forced);
   * `single-ep`: the session had exactly one execution provider and ORT refuses to create a session
   * with a node no provider can run, so every node ran there (CPU and WASM targets, no log needed);
   * `requested`: only what was asked for, no proof (engines that never print a placement: WebGL, TF.js);
   * `log-missing`: the runtime prints its placement for every session, was asked to, and this
   * session's log held none: nothing is proven.
   */
  source: z.enum(['requested', 'verbose-log', 'single-ep', 'profile', 'log-missing']),
  providers: z.array(z.object({
    ep: z.string(),
    nodes: z.number().int().nonnegative(),
    /** Of `nodes`, shape/control and compute nodes (host/device copies are neither). */
    shapeNodes: z.number().int().nonnegative().optional(),
    computeNodes: z.number().int().nonnegative().optional(),
    /** Bytes of the model's initializers and Constant tensors read by nodes on this EP (shared tensors count on each EP). */
    weightBytes: z.number().nonnegative().optional(),
  })),
  /** Nodes that ran on an EP other than the requested primary one. */
  fallbackNodes: z.array(z.object({
    node: z.string(), opType: z.string().optional(), ep: z.string(),
    class: PlacementClassSchema.optional(),
    /** What decided the class: the model graph, ORT's log (a node its optimizer made), or nothing (counted as compute). */
    classBy: z.enum(['graph', 'log', 'unmatched']).optional(),
  })).default([]),
  /** Bytes of all initializers and Constant tensors of the model (what the providers' weightBytes are shares of). */
  weightBytes: z.number().nonnegative().optional(),
  /** The verdict this placement got on a GPU target, under which policy. */
  judgement: z.object({
    verdict: z.enum(['pass', 'fallback', 'partial-fallback', 'unproven']),
    policy: PlacementPolicySchema,
    reason: z.string(),
    /** `unproven` on an engine that never prints a placement: shown as a warning, not a failure. */
    warning: z.boolean().optional(),
  }).optional(),
});
export type ExecutionPlacement = z.infer<typeof ExecutionPlacementSchema>;

/**
 * Why a run on a target failed: the one name a failure carries from the adapter that throws it
 * (RuntimeFailure) through the host's reply and the harness's HostFailure to the outcome's status.
 * `load-error` / `run-error`: the runtime refused the model or failed running it; `crash`: the
 * engine or its host process died (signal, memory limit, a browser page gone), the host is
 * replaced; `timeout`: the host was killed at the time limit; `unavailable`: this target cannot run
 * this case at all (its engine is missing, or it cannot address the model's size).
 */
export const FailureKindSchema = z.enum(['load-error', 'run-error', 'crash', 'timeout', 'unavailable']);
export type FailureKind = z.infer<typeof FailureKindSchema>;

export const RunStatusSchema = z.enum(['ok', ...FailureKindSchema.options]);
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
