import type { PlacementPolicy } from '@crossrt/core';
import { readModelFile, type ModelProto } from '@crossrt/model';
import {
  hostLoadSettings,
  TargetHost,
  type HostBatchItem,
  type HostLoadPolicy,
  type TargetDescriptor,
  type TargetHostOptions,
} from '@crossrt/runtime';
import { classifyGraph, type GraphClasses } from '../placement/placement-classes.js';
import { DEFAULT_PLACEMENT_POLICY } from '../placement/placement-verdict.js';
import { CaseBatches, type BatchedCaseResult } from './case-batches.js';

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

/**
 * Keeps host processes alive across cases (up to `hostsPerTarget` per target, handed out one case at
 * a time) and replaces a host after a crash or timeout, so one bad case never costs the results of
 * the others.
 */
export class TargetPool {
  private readonly idle = new Map<string, TargetHost[]>();
  private readonly live = new Map<string, Set<TargetHost>>();
  private readonly waiting = new Map<string, ((h: TargetHost) => void)[]>();
  private readonly batcher: CaseBatches;
  /** Node classes per model file, for GPU placement (the last few; suites run each model once). */
  private readonly graphClasses = new Map<string, Promise<GraphClasses | undefined>>();
  constructor(readonly options: TargetPoolOptions = {}) {
    this.batcher = new CaseBatches(this, options.batchSize ?? 1, options.threadsPerHost);
  }

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
      c = proto
        ? Promise.resolve(classifyGraph(proto))
        : readModelFile(modelPath, { externalData: 'skip' }).then(
            (m) => classifyGraph(m.proto),
            () => undefined,
          );
      this.graphClasses.set(modelPath, c);
      if (this.graphClasses.size > 8) this.graphClasses.delete(this.graphClasses.keys().next().value!);
    }
    return c;
  }

  /** Host processes allowed for `target` at once. */
  hostLimit(target: TargetDescriptor): number {
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
    if (live.size < this.hostLimit(target)) {
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
      void this.acquire(target).then((host) =>
        host
          .probe(this.loadSettings(target))
          .catch(() => undefined)
          .finally(() => this.release(target, host)),
      );
    }
  }

  /** Whether cases on `target` go through batches (see TargetPoolOptions.batchSize). */
  batches(target: TargetDescriptor): boolean {
    return (
      (this.options.batchSize ?? 1) > 1 && target.environment === 'node' && !this.loadSettings(target).placementLog
    );
  }

  /** Queue one case for `target`'s next batch (see CaseBatches); resolves with its reply or its failure. */
  submit(target: TargetDescriptor, item: HostBatchItem, modelBytes = 0): Promise<BatchedCaseResult> {
    return this.batcher.submit(target, item, modelBytes);
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
