import { availableParallelism } from 'node:os';
import type { ExecutionPlacement, HostTensor, RunOutcome } from '@crossrt/core';
import { HostFailure, parsePlacementLog, TargetHost, type TargetDescriptor, type TargetHostOptions } from '@crossrt/runtime';

export interface TargetExecution {
  readonly outcome: RunOutcome;
  /** Outputs per input set, in the order the sets were given (empty when the target failed). */
  readonly outputs: readonly ReadonlyMap<string, HostTensor>[];
}

export interface TargetPoolOptions extends TargetHostOptions {
  /** Host processes allowed per target (browser targets always get one: one browser, one page). */
  readonly hostsPerTarget?: number;
  /** Intra-op threads per session, when hosts share the cores. Default: the runtime's own choice. */
  readonly threadsPerHost?: number;
  /**
   * `auto` (default): ask for ORT's placement log only where more than one execution provider can
   * run nodes (GPU targets); single-EP targets (cpu, wasm) are placed by construction.
   * `always`: parse the log on every ORT target (costs ~1-5 ms per session load).
   */
  readonly placementLog?: 'auto' | 'always';
}

/** Backends that run every node on their one execution provider or refuse the session. */
const SINGLE_EP_BACKENDS = new Set(['cpu', 'wasm']);

/**
 * Keeps host processes alive across cases (up to `hostsPerTarget` per target, handed out one case at
 * a time) and replaces a host after a crash or timeout, so one bad case never costs the results of
 * the others.
 */
export class TargetPool {
  private readonly idle = new Map<string, TargetHost[]>();
  private readonly live = new Map<string, Set<TargetHost>>();
  private readonly waiting = new Map<string, ((h: TargetHost) => void)[]>();
  constructor(readonly options: TargetPoolOptions = {}) {}

  private limit(target: TargetDescriptor): number {
    return target.environment === 'node' ? Math.max(1, this.options.hostsPerTarget ?? 1) : 1;
  }

  /** A host for this target: an idle live one, a new one while under the limit, or the next released. */
  acquire(target: TargetDescriptor): Promise<TargetHost> {
    const idle = this.idle.get(target.id) ?? [];
    this.idle.set(target.id, idle);
    const live = this.live.get(target.id) ?? new Set<TargetHost>();
    this.live.set(target.id, live);
    for (let h = idle.pop(); h; h = idle.pop()) {
      if (h.alive) return Promise.resolve(h);
      live.delete(h);
    }
    for (const h of live) if (!h.alive) live.delete(h);
    if (live.size < this.limit(target)) {
      const h = new TargetHost(target, this.options);
      live.add(h);
      return Promise.resolve(h);
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(target.id) ?? [];
      queue.push(resolve);
      this.waiting.set(target.id, queue);
    });
  }

  release(target: TargetDescriptor, host: TargetHost): void {
    const next = this.waiting.get(target.id)?.shift();
    if (!next) {
      this.idle.get(target.id)?.push(host);
      return;
    }
    if (host.alive) next(host);
    else {
      // The host died on its case: its slot goes to a fresh host for the waiting case.
      this.live.get(target.id)?.delete(host);
      const fresh = new TargetHost(target, this.options);
      this.live.get(target.id)?.add(fresh);
      next(fresh);
    }
  }

  /**
   * Start one host per target now and have it import its runtime (a probe), so process start-up and
   * runtime imports overlap with the harness reading the model and making inputs. Fire and forget:
   * a failing probe surfaces later as the case's own load outcome.
   */
  prewarm(targets: readonly TargetDescriptor[]): void {
    for (const target of targets) {
      void this.acquire(target).then((host) => host.probe().catch(() => undefined).finally(() => this.release(target, host)));
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.live.values()].flatMap((set) => [...set].map((h) => h.close())));
    this.live.clear();
    this.idle.clear();
  }
}

/**
 * Threads per session when `concurrent` sessions share the machine's cores: each gets its share (at
 * least one), so side-by-side hosts do not oversubscribe; undefined when one session has the machine.
 */
export function threadsPerSession(concurrent: number, cores = availableParallelism()): number | undefined {
  return concurrent > 1 ? Math.max(1, Math.floor(cores / concurrent)) : undefined;
}

/** Run `work` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!, i);
  });
  await Promise.all(lanes);
  return results;
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
  const host = await pool.acquire(target);
  try {
    const singleEp = SINGLE_EP_BACKENDS.has(target.backend) && pool.options.placementLog !== 'always';
    return await executeOnHost(host, target, modelPath, feedSets, graphNodes, { placementLog: !singleEp, threads: pool.options.threadsPerHost });
  } finally {
    pool.release(target, host);
  }
}

async function executeOnHost(
  host: TargetHost, target: TargetDescriptor, modelPath: string, feedSets: readonly Readonly<Record<string, HostTensor>>[], graphNodes: number,
  load: { placementLog: boolean; threads: number | undefined },
): Promise<TargetExecution> {
  const t0 = performance.now();
  let stage: 'load' | 'run' = 'load';
  try {
    const { reply, lines } = await host.load(modelPath, load.placementLog, load.threads);
    stage = 'run';
    const results = [];
    for (const feeds of feedSets) results.push(await host.run(feeds));
    const primaryEp = String(reply.device.details['executionProvider'] ?? '');
    const placement: ExecutionPlacement = reply.placement
      ?? (load.placementLog ? parsePlacementLog(lines, primaryEp) : undefined)
      ?? { source: load.placementLog ? 'requested' : 'single-ep', providers: [{ ep: primaryEp || target.backend, nodes: graphNodes }], fallbackNodes: [] };
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
