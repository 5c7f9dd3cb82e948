import {
  hostWritesDrained,
  HostFailure,
  type HostBatchItem,
  type HostExecuteReply,
  type TargetDescriptor,
  type TargetHost,
} from '@crossrt/runtime';

/** A batched case's answer: the host's reply for it (no log lines: a batch's cannot be told apart), or its failure. */
export type BatchedCaseResult = { reply: HostExecuteReply; lines: readonly string[] } | { failure: HostFailure };

/** Where batches get their hosts (a TargetPool). */
export interface BatchHosts {
  acquire(target: TargetDescriptor): Promise<TargetHost>;
  release(target: TargetDescriptor, host: TargetHost): void;
  /** Hosts allowed for the target at once: at most one batch each. */
  hostLimit(target: TargetDescriptor): number;
}

/** One case waiting for a batch: its model and feeds, and who wants the answer. */
interface QueuedCase {
  readonly item: HostBatchItem;
  /** Graph file plus external data: the host's memory limit for the batch follows its largest model. */
  readonly modelBytes: number;
  readonly done: (result: BatchedCaseResult) => void;
  /** Set after its batch lost its host: it then runs alone, so a crash is pinned on the right case. */
  alone?: boolean;
}

/**
 * Cases queued per target and sent to hosts several per round trip (Host execute-batch), for suites
 * of small models where IPC costs more than the models. A load/run failure inside a batch is that
 * case's answer; a batch that loses its host (crash, timeout, memory) is retried one case per round
 * trip, so the failure is pinned on the case that caused it.
 */
export class CaseBatches {
  private readonly queued = new Map<string, QueuedCase[]>();
  private readonly drainers = new Map<string, number>();

  constructor(
    private readonly hosts: BatchHosts,
    private readonly batchSize: number,
    private readonly threadsPerHost?: number,
  ) {}

  /** Queue one case for `target`'s next batch; resolves with its reply or its failure. */
  submit(target: TargetDescriptor, item: HostBatchItem, modelBytes = 0): Promise<BatchedCaseResult> {
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
    if (active >= this.hosts.hostLimit(target)) return;
    this.drainers.set(target.id, active + 1);
    try {
      while (queue.length > 0) {
        const host = await this.hosts.acquire(target);
        // Cases that must run alone go one per round trip; the others up to batchSize, never mixed.
        const size = this.batchSize;
        const firstAlone = queue.findIndex((q) => q.alone);
        const batch = queue.splice(0, firstAlone === 0 ? 1 : Math.min(size, firstAlone === -1 ? size : firstAlone));
        let deliver: (() => void) | undefined;
        try {
          if (batch.length > 0) deliver = await this.runBatch(host, batch, queue);
        } finally {
          this.hosts.release(target, host);
        }
        // The answers are handed out on a later turn: the next batch (queued meanwhile) leaves first,
        // whole, so the host computes while this process compares the outputs it just got.
        if (deliver) void hostWritesDrained().then(() => setImmediate(deliver));
      }
    } finally {
      this.drainers.set(target.id, (this.drainers.get(target.id) ?? 1) - 1);
    }
  }

  /** Run one batch on `host`; returns what hands its cases their answers (none when they go back to the queue). */
  private async runBatch(
    host: TargetHost,
    batch: QueuedCase[],
    queue: QueuedCase[],
  ): Promise<(() => void) | undefined> {
    try {
      const reply = await host.executeBatch(
        batch.map((q) => q.item),
        this.threadsPerHost,
        Math.max(...batch.map((q) => q.modelBytes)),
      );
      return () =>
        batch.forEach((q, i) => {
          const r = reply.items[i];
          if (r?.ok) q.done({ reply: r.value, lines: [] });
          else
            q.done({
              failure: new HostFailure(r?.kind ?? 'load-error', r?.message ?? 'no reply for this case', [], r?.code),
            });
        });
    } catch (e) {
      const failure = e instanceof HostFailure ? e : new HostFailure('crash', (e as Error).message, host.logTail());
      // The host died (crash, timeout, memory): which case did it is unknown, so each runs alone.
      if (batch.length === 1) return () => batch[0]!.done({ failure });
      queue.unshift(...batch.map((q) => Object.assign(q, { alone: true })));
      return undefined;
    }
  }
}
