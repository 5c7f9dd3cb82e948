import type { ExecutionPlacement, HostTensor, RunOutcome } from '@crossrt/core';
import { HostFailure, parsePlacementLog, TargetHost, type TargetDescriptor, type TargetHostOptions } from '@crossrt/runtime';

export interface TargetExecution {
  readonly outcome: RunOutcome;
  /** Outputs per input set, in the order the sets were given (empty when the target failed). */
  readonly outputs: readonly ReadonlyMap<string, HostTensor>[];
}

/**
 * Keeps one host process per target alive across cases and restarts it after a crash or timeout,
 * so one bad case never costs the results of the others.
 */
export class TargetPool {
  private readonly hosts = new Map<string, TargetHost>();
  constructor(private readonly options: TargetHostOptions = {}) {}

  host(target: TargetDescriptor): TargetHost {
    let h = this.hosts.get(target.id);
    if (!h || !h.alive) {
      h = new TargetHost(target, this.options);
      this.hosts.set(target.id, h);
    }
    return h;
  }

  async close(): Promise<void> {
    await Promise.all([...this.hosts.values()].map((h) => h.close()));
    this.hosts.clear();
  }
}

const STATUS_BY_FAILURE: Record<HostFailure['kind'], RunOutcome['status']> = {
  'load-error': 'load-error', 'run-error': 'run-error', crash: 'crash', timeout: 'timeout', 'host-error': 'crash',
};

/**
 * Load a model on one target once and run it on each input set; every failure becomes an outcome,
 * never an exception. `runMs` is the mean over the sets.
 */
export async function executeOnTarget(
  pool: TargetPool, target: TargetDescriptor, modelPath: string, feedSets: readonly Readonly<Record<string, HostTensor>>[], graphNodes: number,
): Promise<TargetExecution> {
  const t0 = performance.now();
  const host = pool.host(target);
  let stage: 'load' | 'run' = 'load';
  try {
    const { reply, lines } = await host.load(modelPath);
    stage = 'run';
    const results = [];
    for (const feeds of feedSets) results.push(await host.run(feeds));
    const primaryEp = String(reply.device.details['executionProvider'] ?? '');
    const placement: ExecutionPlacement = reply.placement
      ?? parsePlacementLog(lines, primaryEp)
      ?? { source: 'requested', providers: [{ ep: primaryEp || target.backend, nodes: graphNodes }], fallbackNodes: [] };
    const outputs = results.map((r) => new Map(Object.entries(r.outputs)));
    const runMs = results.reduce((sum, r) => sum + r.runMs, 0) / Math.max(1, results.length);
    return {
      outputs,
      outcome: {
        target: target.id, status: 'ok', device: reply.device, placement,
        timings: { loadMs: reply.loadMs, runMs, wallMs: performance.now() - t0 },
        outputs: [...(outputs[0] ?? new Map<string, HostTensor>())].map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
        logTail: [],
      },
    };
  } catch (e) {
    const failure = e instanceof HostFailure ? e : new HostFailure(stage === 'load' ? 'load-error' : 'run-error', (e as Error).message, host.logTail());
    return {
      outputs: [],
      outcome: {
        // An adapter that finds its engine missing (no Chromium, no adapter) says so with TARGET_UNAVAILABLE.
        target: target.id, status: failure.code === 'TARGET_UNAVAILABLE' ? 'unavailable' : STATUS_BY_FAILURE[failure.kind],
        error: { message: firstLines(failure.message), ...(failure.code ? { code: failure.code } : {}) },
        outputs: [], logTail: [...failure.logTail].slice(-20),
      },
    };
  }
}

/** ORT error messages can carry multi-line native traces; reports keep the first few lines. */
function firstLines(message: string, n = 4): string {
  return message.split('\n').slice(0, n).join('\n');
}
