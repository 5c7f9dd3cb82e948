import type { ExecutionPlacement, HostTensor, PlacementPolicy, RunOutcome } from '@crossrt/core';
import { readModelFile, type ModelProto } from '@crossrt/model';
import { HostFailure, hostLoadSettings, modelSizeRefusal, printsPlacementLog, readPlacementLog, TargetHost, type HostBatchItem, type HostExecuteReply, type HostLoadPolicy, type TargetDescriptor, type TargetHostOptions } from '@crossrt/runtime';
import { classifyGraph, type GraphClasses } from './placement-classes.js';
import { modelLoadBytes } from './model-bytes.js';
import { splitPlacement } from './placement-split.js';
import { DEFAULT_PLACEMENT_POLICY, isGpuTarget, withPlacementJudgement } from './placement-verdict.js';

export interface TargetExecution {
  readonly outcome: RunOutcome;
  /** Outputs per input set, in the order the sets were given (empty when the target failed). */
  readonly outputs: readonly ReadonlyMap<string, HostTensor>[];
}

export interface TargetPoolOptions extends TargetHostOptions, HostLoadPolicy {
  /** Host processes allowed per target (browser targets always get one: one browser, one page). */
  readonly hostsPerTarget?: number;
  /**
   * Up to this many cases per host round trip on Node targets without a placement log (default 1:
   * no batching). For suites of small models, where IPC costs more than the models themselves. A
   * load/run failure inside a batch carries the runtime's message but no log tail (the host's log
   * lines of one batch cannot be told apart by case).
   */
  readonly batchSize?: number;
  /** How GPU targets' placement is judged (default DEFAULT_PLACEMENT_POLICY). */
  readonly placementPolicy?: PlacementPolicy;
}

/** One case waiting for a batch: its model and feeds, and who wants the answer. */
interface QueuedCase {
  readonly item: HostBatchItem;
  /** Graph file plus external data: the host's memory limit for the batch follows its largest model. */
  readonly modelBytes: number;
  readonly done: (result: { reply: HostExecuteReply; lines: readonly string[] } | { failure: HostFailure }) => void;
  /** Set after its batch lost its host: it then runs alone, so a crash is pinned on the right case. */
  alone?: boolean;
}

/**
 * Keeps host processes alive across cases (up to `hostsPerTarget` per target, handed out one case at
 * a time) and replaces a host after a crash or timeout, so one bad case never costs the results of
 * the others.
 */
export class TargetPool {
  private readonly idle = new Map<string, TargetHost[]>();
  private readonly live = new Map<string, Set<TargetHost>>();
  private readonly waiting = new Map<string, ((h: TargetHost) => void)[]>();
  private readonly queued = new Map<string, QueuedCase[]>();
  private readonly drainers = new Map<string, number>();
  /** Node classes per model file, for GPU placement (the last few; suites run each model once). */
  private readonly graphClasses = new Map<string, Promise<GraphClasses | undefined>>();
  constructor(readonly options: TargetPoolOptions = {}) {}

  get placementPolicy(): PlacementPolicy {
    return this.options.placementPolicy ?? DEFAULT_PLACEMENT_POLICY;
  }

  /**
   * The placement classes of a model's nodes: from `proto` when the caller has it, else read from
   * `modelPath` once. Undefined when the file is not a readable ONNX model (TF.js, gone): nodes are
   * then judged from the log alone.
   */
  classesOf(modelPath: string, proto?: ModelProto): Promise<GraphClasses | undefined> {
    let c = this.graphClasses.get(modelPath);
    if (!c) {
      c = proto ? Promise.resolve(classifyGraph(proto)) : readModelFile(modelPath, { externalData: 'skip' }).then((m) => classifyGraph(m.proto), () => undefined);
      this.graphClasses.set(modelPath, c);
      if (this.graphClasses.size > 8) this.graphClasses.delete(this.graphClasses.keys().next().value!);
    }
    return c;
  }

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
   * Start one host per target now and have it import its runtime and warm its backend (a probe with
   * Runtime.warm), so process start-up, imports and one-time engine start-up (ort-web's wasm compile)
   * overlap with the harness reading the model and making inputs. Fire and forget: a failing probe
   * surfaces later as the case's own load outcome.
   */
  prewarm(targets: readonly TargetDescriptor[]): void {
    for (const target of targets) {
      void this.acquire(target).then((host) => host.probe(this.loadSettings(target)).catch(() => undefined).finally(() => this.release(target, host)));
    }
  }

  /** Whether cases on `target` go through batches (see TargetPoolOptions.batchSize). */
  batches(target: TargetDescriptor): boolean {
    return (this.options.batchSize ?? 1) > 1 && target.environment === 'node' && !this.loadSettings(target).placementLog;
  }

  /** Queue one case for `target`'s next batch; resolves with its reply or its failure. */
  submit(target: TargetDescriptor, item: HostBatchItem, modelBytes = 0): Promise<{ reply: HostExecuteReply; lines: readonly string[] } | { failure: HostFailure }> {
    return new Promise((done) => {
      const queue = this.queued.get(target.id) ?? [];
      this.queued.set(target.id, queue);
      queue.push({ item, modelBytes, done });
      void this.drain(target, queue);
    });
  }

  /**
   * Up to one drainer per host: each takes a host, then whatever is queued (up to batchSize), so
   * batches grow while the hosts are busy and stay small while they keep up.
   */
  private async drain(target: TargetDescriptor, queue: QueuedCase[]): Promise<void> {
    const active = this.drainers.get(target.id) ?? 0;
    if (active >= this.limit(target)) return;
    this.drainers.set(target.id, active + 1);
    try {
      while (queue.length > 0) {
        const host = await this.acquire(target);
        // Cases that must run alone go one per round trip; the others up to batchSize, never mixed.
        const size = this.options.batchSize ?? 1;
        const firstAlone = queue.findIndex((q) => q.alone);
        const batch = queue.splice(0, firstAlone === 0 ? 1 : Math.min(size, firstAlone === -1 ? size : firstAlone));
        try {
          if (batch.length > 0) await this.runBatch(host, batch, queue);
        } finally {
          this.release(target, host);
        }
      }
    } finally {
      this.drainers.set(target.id, (this.drainers.get(target.id) ?? 1) - 1);
    }
  }

  private async runBatch(host: TargetHost, batch: QueuedCase[], queue: QueuedCase[]): Promise<void> {
    try {
      const reply = await host.executeBatch(batch.map((q) => q.item), this.options.threadsPerHost, Math.max(...batch.map((q) => q.modelBytes)));
      batch.forEach((q, i) => {
        const r = reply.items[i];
        if (r?.ok) q.done({ reply: r.value, lines: [] });
        else q.done({ failure: new HostFailure(r?.kind ?? 'load-error', r?.message ?? 'no reply for this case', [], r?.code) });
      });
    } catch (e) {
      const failure = e instanceof HostFailure ? e : new HostFailure('crash', (e as Error).message, host.logTail());
      // The host died (crash, timeout, memory): which case did it is unknown, so each runs alone.
      if (batch.length === 1) batch[0]!.done({ failure });
      else queue.unshift(...batch.map((q) => Object.assign(q, { alone: true })));
    }
  }

  /** How this pool loads models on `target`: placement log or not, threads per session. */
  loadSettings(target: TargetDescriptor): { placementLog: boolean; threads?: number } {
    return hostLoadSettings(target, this.options);
  }

  async close(): Promise<void> {
    await Promise.all([...this.live.values()].flatMap((set) => [...set].map((h) => h.close())));
    this.live.clear();
    this.idle.clear();
  }
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

/**
 * Load a model on one target once and run it on each input set; every failure becomes an outcome,
 * never an exception. `runMs` is the mean over the sets. `model` (the decoded file, when the caller
 * has it) spares a second read when a GPU target's placement needs the graph's node classes.
 */
export async function executeOnTarget(
  pool: TargetPool, target: TargetDescriptor, modelPath: string, feedSets: readonly Readonly<Record<string, HostTensor>>[], graphNodes: number, model?: ModelProto,
): Promise<TargetExecution> {
  const t0 = performance.now();
  const modelBytes = modelLoadBytes(modelPath, model);
  // A model the target cannot address is refused here, with the limit and the size, not by the watchdog after minutes of copying.
  const refusal = modelSizeRefusal(target, modelBytes);
  if (refusal) return failedExecution(target, new HostFailure('unavailable', `${refusal.message}. ${refusal.hint}`, [], refusal.code));
  const load = pool.loadSettings(target);
  if (pool.batches(target)) {
    const r = await pool.submit(target, { modelPath, feedSets }, modelBytes);
    return 'failure' in r ? failedExecution(target, r.failure) : okExecution(pool, target, r.reply, r.lines, { modelPath, graphNodes, model }, t0);
  }
  const host = await pool.acquire(target);
  try {
    const { reply, lines } = await host.execute(modelPath, feedSets, load.placementLog, load.threads, modelBytes);
    const exec = await okExecution(pool, target, reply, lines, { modelPath, graphNodes, model }, t0);
    // A host whose log lost a session's placement block is not trusted with the next case's proof.
    if (exec.outcome.placement?.source === 'log-missing') await host.close();
    return exec;
  } catch (e) {
    return failedExecution(target, e instanceof HostFailure ? e : new HostFailure('crash', (e as Error).message, host.logTail()));
  } finally {
    pool.release(target, host);
  }
}

async function okExecution(
  pool: TargetPool, target: TargetDescriptor, reply: HostExecuteReply, lines: readonly string[],
  graph: { modelPath: string; graphNodes: number; model: ModelProto | undefined }, t0: number,
): Promise<TargetExecution> {
  const results = reply.runs;
  const primaryEp = String(reply.device.details['executionProvider'] ?? '');
  const placementLog = pool.loadSettings(target).placementLog;
  const log = !reply.placement && placementLog ? readPlacementLog(lines, primaryEp) : undefined;
  // Node classes only matter where placement is judged: GPU targets.
  const classes = log && isGpuTarget({ target: target.id, device: reply.device }) ? await pool.classesOf(graph.modelPath, graph.model) : undefined;
  const unproven: ExecutionPlacement['source'] = printsPlacementLog(target) ? 'log-missing' : 'requested';
  const placement: ExecutionPlacement = reply.placement
    ?? (log ? splitPlacement(log, classes) : undefined)
    ?? { source: placementLog ? unproven : 'single-ep', providers: [{ ep: primaryEp || target.backend, nodes: graph.graphNodes }], fallbackNodes: [] };
  const outputs = results.map((r) => new Map(Object.entries(r.outputs)));
  const runMs = results.reduce((sum, r) => sum + r.runMs, 0) / Math.max(1, results.length);
  const outcome: RunOutcome = {
    target: target.id, status: 'ok', device: reply.device, placement,
    timings: { loadMs: reply.loadMs, runMs, wallMs: performance.now() - t0 },
    outputs: [...(outputs[0] ?? new Map<string, HostTensor>())].map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
    logTail: [],
  };
  return { outputs, outcome: withPlacementJudgement(outcome, pool.placementPolicy) };
}

function failedExecution(target: TargetDescriptor, failure: HostFailure): TargetExecution {
  return {
    outputs: [],
    outcome: {
      target: target.id, status: failure.kind,
      error: { message: firstLines(failure.message), ...(failure.code ? { code: failure.code } : {}) },
      outputs: [], logTail: [...failure.logTail].slice(-20),
    },
  };
}

/** ORT error messages can carry multi-line native traces; reports keep the first few lines. */
function firstLines(message: string, n = 4): string {
  return message.split('\n').slice(0, n).join('\n');
}
