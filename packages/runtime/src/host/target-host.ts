import type { ChildProcess } from 'node:child_process';
import type { FailureKind, HostTensor } from '@crossrt/core';
import type { ProbeResult, SessionRunResult, WarmRequest } from '../runtime.js';
import type { HostEnvironment, TargetDescriptor } from '../target-catalogue.js';
import {
  DONE_MARKER,
  needsDoneMarker,
  type HostBatchItem,
  type HostBatchReply,
  type HostExecuteReply,
  type HostLoadReply,
  type HostReply,
  type HostReplyValue,
  type HostRequest,
} from './host-protocol.js';
import { statSync } from 'node:fs';
import { processTreeRssBytes } from './process-tree-memory.js';
import { adoptEarlyHost } from './early-hosts.js';
import { sendToHost } from './ipc-writes.js';
import { forkHost, hostProcessSpec, type HostProcessOptions } from './host-process.js';
import { hostMemoryLimitMb, MEMORY_LIMIT_ENV } from './host-memory-limit.js';
import { chooseHostEnvironment } from './host-environment-choice.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Limit per load and per run unless the caller sets one: generous for real models on 2 cores. */
export const DEFAULT_TIMEOUT_MS = 120_000;
const MEMORY_POLL_MS = 200;
/** How timeouts name a request. */
const REQUEST_WORDS: Record<HostRequest['type'], string> = {
  probe: 'probe',
  load: 'load',
  run: 'run',
  dispose: 'dispose',
  execute: 'load + run',
  'execute-batch': 'a batch of loads + runs',
};
const LOG_TAIL_LINES = 40;

/**
 * Why a host request failed, with the kind the outcome's status carries: the adapter's own
 * (RuntimeFailure, passed on in the reply), or decided here (`timeout`, `crash` when the process
 * died or passed the memory limit). After `crash` and `timeout` the host process is gone.
 */
export class HostFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly logTail: readonly string[],
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface TargetHostOptions extends HostProcessOptions {
  /** Limit per load and per run (a request doing several gets their sum); the host is killed when it passes. Default DEFAULT_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly resolve: (v: { value: HostReplyValue; lines: string[] }) => void;
  readonly reject: (e: HostFailure) => void;
  readonly id: number;
  /** The request as sent, to decide whether a done marker follows its reply. */
  readonly body: { readonly type: HostRequest['type']; readonly placementLog?: boolean };
  reply?: HostReply;
  doneSeen: boolean;
  readonly lines: string[];
  readonly timer: NodeJS.Timeout;
  readonly memoryTimer: NodeJS.Timeout | undefined;
}

/**
 * The target's host environment (see chooseHostEnvironment), each candidate probed in a host of its
 * own pinned to it, without a memory limit (a probe loads no model).
 */
export function selectHostEnvironment(
  target: TargetDescriptor,
  options: TargetHostOptions = {},
): Promise<HostEnvironment | undefined> {
  return chooseHostEnvironment(target, async (candidate) => {
    const probeHost = new TargetHost(target, { ...options, memoryLimitMb: 0 }, candidate);
    try {
      return (await probeHost.probe()).available;
    } finally {
      await probeHost.close();
    }
  });
}

/**
 * One host process for one target. Requests are serialized; every log line the host prints is kept
 * (a tail for reports, the lines of each request for placement parsing). The process starts on the
 * first request, in the target's chosen host environment. A request that passes the timeout or makes
 * the process tree pass the memory limit kills the host; `alive` turns false and the owner starts a
 * new one for the next case.
 */
export class TargetHost {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private nextId = 1;
  private pending: Pending | undefined;
  private readonly tail: string[] = [];
  private partial = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private killedFor: HostFailure | undefined;
  private retiring = false;
  private readonly timeoutMs: number;
  private environmentName: string | undefined;
  /** Size of the model of the session `load` made, which later `run` requests are limited by. */
  private sessionModelBytes = 0;

  /** `environment` pins the host environment (used while probing candidates). */
  constructor(
    readonly target: TargetDescriptor,
    private readonly options: TargetHostOptions = {},
    private readonly environment?: HostEnvironment,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** False once the process exited, or once it announced it will (after an engine crash). */
  get alive(): boolean {
    return this.exited === undefined && !this.retiring;
  }

  /** The host environment in use (`system`, `swiftshader`, ...), once started. */
  get environmentInUse(): string | undefined {
    return this.environmentName;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  logTail(n = LOG_TAIL_LINES): string[] {
    return this.tail.slice(-n);
  }

  /** With `warm` (the settings of the loads to come), also pay the backend's one-time start-up (Runtime.warm). */
  async probe(warm?: Omit<WarmRequest, 'backend'>): Promise<ProbeResult> {
    const { backend } = this.target;
    const { value } = await this.request({
      type: 'probe',
      adapterModule: this.target.adapterModule,
      backend,
      ...(warm ? { warm: { ...warm, backend } } : {}),
    });
    return value as ProbeResult;
  }

  /** `modelBytes` (graph file plus external data; default the file's size) sets the request's memory limit. */
  async load(
    modelPath: string,
    placementLog = true,
    threads?: number,
    modelBytes?: number,
  ): Promise<{ reply: HostLoadReply; lines: string[] }> {
    this.sessionModelBytes = modelBytes ?? fileBytes(modelPath);
    const { value, lines } = await this.request(
      {
        type: 'load',
        adapterModule: this.target.adapterModule,
        backend: this.target.backend,
        modelPath,
        placementLog,
        ...(threads ? { threads } : {}),
      },
      this.timeoutMs,
      this.sessionModelBytes,
    );
    return { reply: value as HostLoadReply, lines };
  }

  /**
   * Load, run every feed set, dispose: one round trip. `lines` are the log lines printed meanwhile.
   * The time limit is the per-load/per-run limit for the load and for each run, added up; the memory
   * limit follows `modelBytes` (graph file plus external data; default the file's size).
   */
  async execute(
    modelPath: string,
    feedSets: readonly Readonly<Record<string, HostTensor>>[],
    placementLog = true,
    threads?: number,
    modelBytes?: number,
  ): Promise<{ reply: HostExecuteReply; lines: string[] }> {
    const { value, lines } = await this.request(
      {
        type: 'execute',
        adapterModule: this.target.adapterModule,
        backend: this.target.backend,
        modelPath,
        placementLog,
        feedSets,
        ...(threads ? { threads } : {}),
      },
      this.timeoutMs * (1 + feedSets.length),
      modelBytes ?? fileBytes(modelPath),
    );
    return { reply: value as HostExecuteReply, lines };
  }

  /**
   * Execute several models in one round trip (no placement log). The time limit is the per-request
   * limit for each load and each run in the batch, added up; the memory limit is that of the largest
   * model (`modelBytes`, default the largest file), since each is disposed before the next loads.
   */
  async executeBatch(items: readonly HostBatchItem[], threads?: number, modelBytes?: number): Promise<HostBatchReply> {
    const { value } = await this.request(
      {
        type: 'execute-batch',
        adapterModule: this.target.adapterModule,
        backend: this.target.backend,
        items,
        ...(threads ? { threads } : {}),
      },
      this.timeoutMs * items.reduce((n, item) => n + 1 + item.feedSets.length, 0),
      modelBytes ?? Math.max(0, ...items.map((i) => fileBytes(i.modelPath))),
    );
    return value as HostBatchReply;
  }

  async run(feeds: Readonly<Record<string, HostTensor>>): Promise<SessionRunResult> {
    const { value } = await this.request({ type: 'run', feeds }, this.timeoutMs, this.sessionModelBytes);
    return value as SessionRunResult;
  }

  async close(): Promise<void> {
    if (this.starting && !this.child) await this.starting.catch(() => undefined);
    const child = this.child;
    if (!child || this.exited !== undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.disconnect();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(kill);
  }

  /** Kill the host now (used by tests and on timeouts). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exited === undefined) this.child?.kill(signal);
  }

  /**
   * Start the process on the first request. A probe that warms the backend (`warm`) may adopt a host
   * started early for the same process and warm-up (see early-hosts.ts) instead of forking one.
   */
  private start(warm?: WarmRequest): Promise<ChildProcess> {
    this.starting ??= (async () => {
      const environment = this.environment ?? (await selectHostEnvironment(this.target, this.options));
      this.environmentName = environment?.name;
      const spec = hostProcessSpec(this.target, this.options, environment);
      const early = warm ? await adoptEarlyHost(spec, warm) : undefined;
      const child = early?.child ?? forkHost(spec);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => this.onLog(d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => this.onLog(d));
      for (const chunk of early?.output ?? []) this.onLog(chunk);
      child.on('message', (reply: HostReply) => this.onReply(reply));
      child.on('exit', (code, signal) => this.onExit(code, signal));
      child.on('error', (e) =>
        this.failPending(new HostFailure('crash', `host process error: ${e.message}`, this.logTail())),
      );
      this.child = child;
      return child;
    })();
    return this.starting;
  }

  /** The memory limit of a request on a model of `modelBytes`: the caller's fixed limit, else the env's, else the default rule. */
  memoryLimitMbFor(modelBytes: number): number {
    return hostMemoryLimitMb(
      modelBytes,
      this.options.memoryLimitMb !== undefined ? { optionMb: this.options.memoryLimitMb } : {},
    );
  }

  private async request(
    body: DistributiveOmit<HostRequest, 'id'>,
    timeoutMs = this.timeoutMs,
    modelBytes = 0,
  ): Promise<{ value: HostReplyValue; lines: string[] }> {
    if (!this.alive) throw new HostFailure('crash', 'host process is not running', this.logTail());
    // A caller bug, not the case's fault; reported as a crash like any host that could not serve the case.
    if (this.pending) throw new HostFailure('crash', 'host is busy', []);
    const child = await this.start(body.type === 'probe' ? body.warm : undefined);
    if (!this.alive) throw new HostFailure('crash', 'host process is not running', this.logTail());
    const id = this.nextId++;
    const memoryLimitMb = this.memoryLimitMbFor(modelBytes);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.killFor(
          new HostFailure(
            'timeout',
            `${REQUEST_WORDS[body.type]} did not finish within ${timeoutMs} ms; host killed`,
            [],
          ),
        );
      }, timeoutMs);
      const memoryTimer =
        memoryLimitMb > 0 && child.pid
          ? setInterval(() => this.checkMemory(child.pid!, memoryLimitMb), MEMORY_POLL_MS)
          : undefined;
      this.pending = { id, body, resolve, reject, doneSeen: false, lines: [], timer, memoryTimer };
      sendToHost(child, { ...body, id } as HostRequest);
    });
  }

  private checkMemory(pid: number, limitMb: number): void {
    const rss = processTreeRssBytes(pid);
    if (rss === undefined || rss <= limitMb * 1024 * 1024) return;
    const mb = Math.round(rss / (1024 * 1024));
    this.killFor(
      new HostFailure(
        'crash',
        `host used ${mb} MB resident memory, over the ${limitMb} MB limit; host killed (${MEMORY_LIMIT_ENV} or --memory-limit sets the limit, 0 disables it)`,
        [],
      ),
    );
  }

  /** Kill the host and fail the pending request with `failure` (plus the log tail), not as a plain crash. */
  private killFor(failure: HostFailure): void {
    if (!this.pending || this.killedFor) return;
    this.killedFor = failure;
    this.kill();
  }

  private onLog(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.startsWith(DONE_MARKER)) {
        if (this.pending && line.slice(DONE_MARKER.length) === String(this.pending.id)) {
          this.pending.doneSeen = true;
          this.settle();
        }
        continue;
      }
      if (line === '') continue;
      this.tail.push(line);
      if (this.tail.length > 4 * LOG_TAIL_LINES) this.tail.splice(0, this.tail.length - LOG_TAIL_LINES);
      this.pending?.lines.push(line);
    }
  }

  private onReply(reply: HostReply): void {
    if (reply.id !== this.pending?.id) return;
    this.pending.reply = reply;
    this.settle();
  }

  private settle(): void {
    const p = this.pending;
    if (!p?.reply || (needsDoneMarker(p.body, p.reply) && !p.doneSeen)) return;
    this.clearPending();
    const r = p.reply;
    if (!r.ok && r.kind === 'crash') this.retiring = true;
    if (r.ok) p.resolve({ value: r.value, lines: p.lines });
    else p.reject(new HostFailure(r.kind, r.message, p.lines.slice(-LOG_TAIL_LINES), r.code));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = { code, signal };
    if (this.partial) this.onLog('\n');
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const planned = this.killedFor;
    this.failPending(
      planned
        ? new HostFailure(planned.kind, planned.message, this.logTail())
        : new HostFailure('crash', `host process ${how}`, this.logTail()),
    );
  }

  private clearPending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (p.memoryTimer) clearInterval(p.memoryTimer);
  }

  private failPending(e: HostFailure): void {
    const p = this.pending;
    if (!p) return;
    this.clearPending();
    p.reject(e);
  }
}

/** A model file's size, 0 when it cannot be read (the load then fails with the runtime's own reason). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
