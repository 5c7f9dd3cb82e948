import { availableParallelism } from 'node:os';
import type { TargetDescriptor } from './target-catalogue.js';

/** Backends that run every node on their one execution provider or refuse the session. */
const SINGLE_EP_BACKENDS = new Set(['cpu', 'wasm']);

export interface HostLoadPolicy {
  /**
   * `auto`: ask for ORT's placement log only where more than one execution provider can run nodes
   * (GPU targets); single-EP targets (cpu, wasm) are placed by construction. `always`: every target.
   */
  readonly placementLog?: 'auto' | 'always';
  /** Intra-op threads per session, when hosts share the cores (see threadsPerSession). */
  readonly threadsPerHost?: number;
}

/** How a harness loads models on `target`: placement log or not, threads per session. */
export function hostLoadSettings(
  target: TargetDescriptor,
  policy: HostLoadPolicy,
): { placementLog: boolean; threads?: number } {
  const singleEp = SINGLE_EP_BACKENDS.has(target.backend) && policy.placementLog !== 'always';
  return { placementLog: !singleEp, ...(policy.threadsPerHost ? { threads: policy.threadsPerHost } : {}) };
}

/** Runtimes whose sessions are ORT sessions with execution providers: they print "Node placements" when asked. */
const ORT_RUNTIMES = new Set(['ort-node', 'ort-web']);

/**
 * Whether this target's engine prints ORT's node placement for every session it creates, when asked
 * (hostLoadSettings asks): ORT's execution providers do; onnxruntime-web's WebGL backend (its own
 * JavaScript engine, no EP partitioning) and TF.js never do. A session of the first kind without a
 * placement block lost its proof; the second kind never had one.
 */
export function printsPlacementLog(target: Pick<TargetDescriptor, 'runtime' | 'backend'>): boolean {
  return ORT_RUNTIMES.has(target.runtime) && target.backend !== 'webgl';
}

/**
 * Threads per session when `concurrent` sessions share the machine's cores: each gets its share (at
 * least one), so side-by-side hosts do not oversubscribe; undefined when one session has the machine.
 */
export function threadsPerSession(concurrent: number, cores = availableParallelism()): number | undefined {
  return concurrent > 1 ? Math.max(1, Math.floor(cores / concurrent)) : undefined;
}
