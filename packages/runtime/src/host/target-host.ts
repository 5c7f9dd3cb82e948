import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostTensor } from '@crossrt/core';
import type { ProbeResult, SessionRunResult } from '../runtime.js';
import type { TargetDescriptor } from '../target-catalogue.js';
import { DONE_MARKER, type HostLoadReply, type HostReply, type HostReplyValue, type HostRequest } from './host-protocol.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const DEFAULT_TIMEOUT_MS = 120_000;
const LOG_TAIL_LINES = 40;

/** Why a host request failed. `crash` and `timeout` mean the host process is gone. */
export class HostFailure extends Error {
  constructor(
    readonly kind: 'load-error' | 'run-error' | 'crash' | 'timeout' | 'host-error',
    message: string,
    readonly logTail: readonly string[],
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface TargetHostOptions {
  /** Per-request limit (load, run); the host is killed when it passes. */
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

interface Pending {
  readonly resolve: (v: { value: HostReplyValue; lines: string[] }) => void;
  readonly reject: (e: HostFailure) => void;
  reply?: HostReply;
  doneSeen: boolean;
  readonly lines: string[];
  readonly timer: NodeJS.Timeout;
}

/** The compiled host entry; from sources (vitest) fall back to the package's dist build. */
function hostEntryPath(): string {
  const here = import.meta.url;
  const rel = here.endsWith('.ts') ? '../../dist/host/host-entry.js' : './host-entry.js';
  return fileURLToPath(new URL(rel, here));
}

/**
 * One host process for one target. Requests are serialized; every log line the host prints is kept
 * (a tail for reports, the lines of each request for placement parsing).
 */
export class TargetHost {
  private readonly child: ChildProcess;
  private nextId = 1;
  private pending: Pending | undefined;
  private readonly tail: string[] = [];
  private partial = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly timeoutMs: number;

  constructor(readonly target: TargetDescriptor, options: TargetHostOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.child = fork(hostEntryPath(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...options.env },
      execArgv: [],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.onLog(d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => this.onLog(d));
    this.child.on('message', (reply: HostReply) => this.onReply(reply));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('error', (e) => this.failPending(new HostFailure('crash', `host process error: ${e.message}`, this.logTail())));
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  logTail(n = LOG_TAIL_LINES): string[] {
    return this.tail.slice(-n);
  }

  async probe(): Promise<ProbeResult> {
    const { value } = await this.request({ type: 'probe', adapterModule: this.target.adapterModule, backend: this.target.backend });
    return value as ProbeResult;
  }

  async load(modelPath: string, placementLog = true): Promise<{ reply: HostLoadReply; lines: string[] }> {
    const { value, lines } = await this.request({ type: 'load', adapterModule: this.target.adapterModule, backend: this.target.backend, modelPath, placementLog });
    return { reply: value as HostLoadReply, lines };
  }

  async run(feeds: Readonly<Record<string, HostTensor>>): Promise<SessionRunResult> {
    const { value } = await this.request({ type: 'run', feeds });
    return value as SessionRunResult;
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.disconnect?.();
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(kill);
  }

  /** Kill the host now (used by tests and on timeouts). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal);
  }

  private request(body: DistributiveOmit<HostRequest, 'id'>): Promise<{ value: HostReplyValue; lines: string[] }> {
    if (!this.alive) return Promise.reject(new HostFailure('crash', 'host process is not running', this.logTail()));
    if (this.pending) return Promise.reject(new HostFailure('host-error', 'host is busy', []));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.kill();
        reject(new HostFailure('timeout', `${body.type} did not finish within ${this.timeoutMs} ms; host killed`, this.logTail()));
      }, this.timeoutMs);
      this.pending = { resolve, reject, doneSeen: false, lines: [], timer };
      this.child.send({ ...body, id } as HostRequest);
    });
  }

  private onLog(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.startsWith(DONE_MARKER)) {
        if (this.pending) {
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
    if (!this.pending) return;
    this.pending.reply = reply;
    this.settle();
  }

  private settle(): void {
    const p = this.pending;
    if (!p?.reply || !p.doneSeen) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    const r = p.reply;
    if (r.ok) p.resolve({ value: r.value, lines: p.lines });
    else {
      const kind = r.stage === 'load' ? 'load-error' : r.stage === 'run' ? 'run-error' : 'host-error';
      p.reject(new HostFailure(kind, r.message, p.lines.slice(-LOG_TAIL_LINES), r.code));
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = { code, signal };
    if (this.partial) this.onLog('\n');
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    this.failPending(new HostFailure('crash', `host process ${how}`, this.logTail()));
  }

  private failPending(e: HostFailure): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(e);
  }
}
