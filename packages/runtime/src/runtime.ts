import type { DeviceInfo, ExecutionPlacement, FailureKind, HostTensor, ProbeResult } from '@crossrt/core';

// Defined once, as a zod schema in core (ProbeResultSchema); adapters keep importing it from here.
export type { ProbeResult };

/**
 * The one contract every runtime adapter implements (cf. onnxruntime-common's Backend /
 * InferenceSessionHandler). Adapters only execute: they never compare or report. They run inside a
 * host process, never in the harness process, so a native crash cannot take results with it.
 */
export interface Runtime {
  /** Runtime part of the target id, e.g. `ort-node`. */
  readonly name: string;
  /** Never throws: an unavailable backend is an answer with a reason. */
  probe(backend: string): Promise<ProbeResult>;
  load(request: LoadRequest): Promise<LoadedSession>;
  /**
   * Pay the backend's one-time start-up (compiling a wasm module, opening a device) before the first
   * model arrives; the host calls it while the harness is still preparing the case. It gets the
   * settings of the loads to come, since some are fixed at start-up (wasm threads, log level). Optional.
   */
  warm?(request: WarmRequest): Promise<void>;
  /** Release what the adapter owns beyond sessions (e.g. a browser); called when the host is closed. */
  close?(): Promise<void>;
}

export interface LoadRequest {
  readonly backend: string;
  /** Absolute path of the model file; adapters that need bytes read it themselves. */
  readonly modelPath: string;
  /** Ask the runtime for node placement logs (ORT verbose logging). */
  readonly placementLog?: boolean;
  /** Intra-op threads for the session; set when several hosts share the cores (e.g. conformance --jobs). */
  readonly threads?: number;
}

export type WarmRequest = Omit<LoadRequest, 'modelPath'>;

export interface LoadedSession {
  readonly session: RuntimeSession;
  readonly loadMs: number;
  readonly device: DeviceInfo;
  /** Placement the adapter can state itself; log-derived placement is added by the host. */
  readonly placement?: ExecutionPlacement;
}

export interface RuntimeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, HostTensor>>): Promise<SessionRunResult>;
  dispose(): Promise<void>;
}

export interface SessionRunResult {
  readonly outputs: Record<string, HostTensor>;
  readonly runMs: number;
}

/** What an adapter package exports: `export const createRuntime: RuntimeFactory`. */
export type RuntimeFactory = () => Runtime | Promise<Runtime>;

/**
 * What adapters throw: the failure's kind, in the vocabulary the report uses (FailureKind, defined in
 * core), so the host passes it on unchanged (adapters never throw `timeout`: the host's watchdog decides it). `crash` means the adapter's own engine died (e.g. a
 * browser renderer crashed): the host replies, then exits so the next case gets a fresh process.
 * `unavailable` means the engine is missing here (no Chromium, no tfjs-node): the case cannot run on
 * this target at all.
 */
export class RuntimeFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
