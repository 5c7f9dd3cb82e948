import type { FailureKind, HostTensor } from '@crossrt/core';
import type { LoadedSession, ProbeResult, SessionRunResult, WarmRequest } from '../runtime.js';

/** Messages between the harness and a host process (IPC with structured clone: tensors go as binary). */
export type HostRequest =
  | {
      readonly id: number;
      readonly type: 'probe';
      readonly adapterModule: string;
      readonly backend: string;
      readonly warm?: WarmRequest;
    }
  | {
      readonly id: number;
      readonly type: 'load';
      readonly adapterModule: string;
      readonly backend: string;
      readonly modelPath: string;
      readonly placementLog: boolean;
      readonly threads?: number;
    }
  /** load + run every feed set + dispose in one round trip (what the harness does per case and target). */
  | {
      readonly id: number;
      readonly type: 'execute';
      readonly adapterModule: string;
      readonly backend: string;
      readonly modelPath: string;
      readonly placementLog: boolean;
      readonly threads?: number;
      readonly feedSets: readonly Readonly<Record<string, HostTensor>>[];
    }
  /**
   * Several executes in one round trip, for suites of small models where IPC costs more than the
   * models (no placement log: its lines could not be told apart). A failing item is an answer; an
   * engine crash ends the batch and the host.
   */
  | {
      readonly id: number;
      readonly type: 'execute-batch';
      readonly adapterModule: string;
      readonly backend: string;
      readonly threads?: number;
      readonly items: readonly HostBatchItem[];
    }
  | { readonly id: number; readonly type: 'run'; readonly feeds: Readonly<Record<string, HostTensor>> }
  | { readonly id: number; readonly type: 'dispose' };

export type HostLoadReply = Omit<LoadedSession, 'session'> & {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
};

export type HostExecuteReply = HostLoadReply & { readonly runs: readonly SessionRunResult[] };

export interface HostBatchItem {
  readonly modelPath: string;
  readonly feedSets: readonly Readonly<Record<string, HostTensor>>[];
}

export type HostBatchItemReply =
  | { readonly ok: true; readonly value: HostExecuteReply }
  | { readonly ok: false; readonly kind: FailureKind; readonly message: string; readonly code?: string };

export interface HostBatchReply {
  readonly items: readonly HostBatchItemReply[];
}

export type HostReplyValue = ProbeResult | HostLoadReply | HostExecuteReply | HostBatchReply | SessionRunResult | null;

export type HostReply =
  | { readonly id: number; readonly ok: true; readonly value: HostReplyValue }
  /** `kind` is the adapter's RuntimeFailure kind; `crash` also means the host exits after this reply. */
  | {
      readonly id: number;
      readonly ok: false;
      readonly kind: FailureKind;
      readonly message: string;
      readonly code?: string;
    };

/**
 * Written to stderr after each request is handled, so the parent knows every log line the request
 * produced (native runtimes log to fd 2, which is not ordered with the IPC channel) has arrived.
 */
export const DONE_MARKER = '\u0001crossrt-done:';

/**
 * Both sides agree when the marker is written: for a load whose placement log will be parsed, and for
 * any failure (its log tail goes into the report). Other replies skip it, saving a write and a wait.
 */
export function needsDoneMarker(
  req: { readonly type: HostRequest['type']; readonly placementLog?: boolean },
  reply: { readonly ok: boolean },
): boolean {
  return !reply.ok || ((req.type === 'load' || req.type === 'execute') && req.placementLog === true);
}

/**
 * Set in a host process's environment: the name of the HostEnvironment it was started with, so an
 * adapter can say in its device info which driver it got (e.g. `swiftshader`).
 */
export const HOST_ENVIRONMENT_VAR = 'CROSSRT_HOST_ENVIRONMENT';
