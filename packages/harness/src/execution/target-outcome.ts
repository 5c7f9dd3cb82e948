import type { ExecutionPlacement, HostTensor, RunOutcome } from '@crossrt/core';
import type { ModelProto } from '@crossrt/model';
import {
  printsPlacementLog,
  readPlacementLog,
  type HostExecuteReply,
  type HostFailure,
  type TargetDescriptor,
} from '@crossrt/runtime';
import { splitPlacement } from '../placement/placement-split.js';
import { isGpuTarget, withPlacementJudgement } from '../placement/placement-verdict.js';
import type { TargetPool } from './target-pool.js';

/** What one target did with one model: the outcome for the report and the outputs to compare. */
export interface TargetExecution {
  readonly outcome: RunOutcome;
  /** Outputs per input set, in the order the sets were given (empty when the target failed). */
  readonly outputs: readonly ReadonlyMap<string, HostTensor>[];
}

/** The model a reply is about, for its placement: the file, its node count, its decoded graph when the caller has it. */
export interface ExecutedModel {
  readonly modelPath: string;
  readonly graphNodes: number;
  readonly model: ModelProto | undefined;
}

/**
 * A host's reply as an `ok` outcome: placement as the adapter stated it, else read from the host's
 * log lines (GPU targets split by node class and judged under the pool's policy), else what the
 * session's single execution provider proves; `runMs` is the mean over the input sets; `t0` is when
 * the harness started the case (wall time).
 */
export async function okTargetExecution(
  pool: TargetPool,
  target: TargetDescriptor,
  reply: HostExecuteReply,
  lines: readonly string[],
  graph: ExecutedModel,
  t0: number,
): Promise<TargetExecution> {
  const results = reply.runs;
  const primaryEp = String(reply.device.details['executionProvider'] ?? '');
  const placementLog = pool.loadSettings(target).placementLog;
  const log = !reply.placement && placementLog ? readPlacementLog(lines, primaryEp) : undefined;
  // Node classes only matter where placement is judged: GPU targets.
  const classes =
    log && isGpuTarget({ target: target.id, device: reply.device })
      ? await pool.classesOf(graph.modelPath, graph.model)
      : undefined;
  const unproven: ExecutionPlacement['source'] = printsPlacementLog(target) ? 'log-missing' : 'requested';
  const placement: ExecutionPlacement = reply.placement ??
    (log ? splitPlacement(log, classes) : undefined) ?? {
      source: placementLog ? unproven : 'single-ep',
      providers: [{ ep: primaryEp || target.backend, nodes: graph.graphNodes }],
      fallbackNodes: [],
    };
  const outputs = results.map((r) => new Map(Object.entries(r.outputs)));
  const runMs = results.reduce((sum, r) => sum + r.runMs, 0) / Math.max(1, results.length);
  const outcome: RunOutcome = {
    target: target.id,
    status: 'ok',
    device: reply.device,
    placement,
    timings: { loadMs: reply.loadMs, runMs, wallMs: performance.now() - t0 },
    outputs: [...(outputs[0] ?? new Map<string, HostTensor>())].map(([name, t]) => ({
      name,
      dtype: t.dtype,
      dims: [...t.dims],
    })),
    logTail: [],
  };
  return { outputs, outcome: withPlacementJudgement(outcome, pool.placementPolicy) };
}

/** A failure as an outcome: its kind is the status (one vocabulary, see core's FailureKind), with its code, first lines and log tail. */
export function failedTargetExecution(target: TargetDescriptor, failure: HostFailure): TargetExecution {
  return {
    outputs: [],
    outcome: {
      target: target.id,
      status: failure.kind,
      error: { message: firstLines(failure.message), ...(failure.code ? { code: failure.code } : {}) },
      outputs: [],
      logTail: [...failure.logTail].slice(-20),
    },
  };
}

/** ORT error messages can carry multi-line native traces; reports keep the first few lines. */
function firstLines(message: string, n = 4): string {
  return message.split('\n').slice(0, n).join('\n');
}
