import type { ExecutionPlacement, HostTensor, RunOutcome } from '@crossrt/core';
import { HostFailure, parsePlacementLog, TargetHost, type TargetDescriptor, type TargetHostOptions } from '@crossrt/runtime';

export interface TargetExecution {
  readonly outcome: RunOutcome;
  readonly outputs: ReadonlyMap<string, HostTensor>;
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

/** Load a model on one target and run it once; every failure becomes an outcome, never an exception. */
export async function executeOnTarget(
  pool: TargetPool, target: TargetDescriptor, modelPath: string, feeds: Readonly<Record<string, HostTensor>>, graphNodes: number,
): Promise<TargetExecution> {
  const t0 = performance.now();
  const host = pool.host(target);
  let stage: 'load' | 'run' = 'load';
  try {
    const { reply, lines } = await host.load(modelPath);
    stage = 'run';
    const result = await host.run(feeds);
    const primaryEp = String(reply.device.details['executionProvider'] ?? '');
    const placement: ExecutionPlacement = reply.placement
      ?? parsePlacementLog(lines, primaryEp)
      ?? { source: 'requested', providers: [{ ep: primaryEp || target.backend, nodes: graphNodes }], fallbackNodes: [] };
    const outputs = new Map(Object.entries(result.outputs));
    return {
      outputs,
      outcome: {
        target: target.id, status: 'ok', device: reply.device, placement,
        timings: { loadMs: reply.loadMs, runMs: result.runMs, wallMs: performance.now() - t0 },
        outputs: [...outputs].map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
        logTail: [],
      },
    };
  } catch (e) {
    const failure = e instanceof HostFailure ? e : new HostFailure(stage === 'load' ? 'load-error' : 'run-error', (e as Error).message, host.logTail());
    return {
      outputs: new Map(),
      outcome: {
        target: target.id, status: STATUS_BY_FAILURE[failure.kind],
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
