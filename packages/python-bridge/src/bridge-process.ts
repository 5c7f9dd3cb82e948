import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CrossrtError, isErrorCode, packageFile } from '@crossrt/core/base';
import type { PythonInterpreter } from './python-interpreter.js';

/** crossrt's bridge script, shipped beside dist/ in this package. */
export const BRIDGE_SCRIPT = packageFile('@crossrt/python-bridge', 'python', 'crossrt_bridge.py');

const LOG_LINES = 40;

/** A failed request whose reason is the user's (code from the bridge), with the Python traceback tail. */
export class BridgeRequestError extends CrossrtError {
  constructor(
    code: ConstructorParameters<typeof CrossrtError>[0],
    message: string,
    hint: string | undefined,
    readonly traceback: readonly string[],
    readonly logTail: readonly string[],
  ) {
    super(code, message, hint);
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One kept Python worker for one source model: requests go in as JSON lines on stdin, replies come
 * back on fd 3 (stdout/stderr are log, kept as a tail). Isolated like a runtime host: a crash, a hang
 * past the request's time limit or a broken reply ends the process and rejects with
 * SOURCE_BRIDGE_FAILED carrying the log tail; the next request needs a new bridge.
 */
export class PythonBridge {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly log: string[] = [];
  private seq = 0;
  private exited: string | undefined;

  constructor(
    readonly python: PythonInterpreter,
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.child = spawn(python.path, ['-u', BRIDGE_SCRIPT], {
      cwd: options.cwd ?? process.cwd(),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    const keep = (line: string) => {
      this.log.push(line);
      if (this.log.length > LOG_LINES) this.log.shift();
    };
    createInterface({ input: this.child.stdout! }).on('line', keep);
    createInterface({ input: this.child.stderr! }).on('line', keep);
    createInterface({ input: this.child.stdio[3] as NodeJS.ReadableStream }).on('line', (line) => this.onReply(line));
    this.child.on('exit', (code, signal) =>
      this.fail(`the Python bridge exited (${signal ? `signal ${signal}` : `code ${code}`})`),
    );
    this.child.on('error', (e) => this.fail(`the Python bridge could not start: ${e.message}`));
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  logTail(): string[] {
    return [...this.log];
  }

  /** Send one request; resolves with its value, rejects with a typed error. */
  request<T>(op: string, args: Record<string, unknown>, timeoutMs: number): Promise<T> {
    if (this.exited) return Promise.reject(this.bridgeFailed(this.exited));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        this.fail(`the Python bridge did not answer "${op}" within ${Math.round(timeoutMs / 1000)} s (killed)`);
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin!.end();
    const t = setTimeout(() => this.kill(), 5000);
    await gone;
    clearTimeout(t);
  }

  private kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  private onReply(line: string): void {
    let msg: {
      id: number;
      ok: boolean;
      value?: unknown;
      code?: string;
      message?: string;
      hint?: string | null;
      traceback?: string[];
    };
    try {
      msg = JSON.parse(line);
    } catch {
      this.kill();
      this.fail(`the Python bridge broke its protocol: ${line.slice(0, 200)}`);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.value);
    else {
      const code = msg.code && isErrorCode(msg.code) ? msg.code : 'SOURCE_BRIDGE_FAILED';
      p.reject(
        new BridgeRequestError(
          code,
          msg.message ?? 'the bridge request failed',
          msg.hint ?? undefined,
          msg.traceback ?? [],
          this.logTail(),
        ),
      );
    }
  }

  private fail(why: string): void {
    if (this.exited) return;
    this.exited = why;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(this.bridgeFailed(why));
      this.pending.delete(id);
    }
  }

  private bridgeFailed(why: string): BridgeRequestError {
    const tail = this.logTail();
    return new BridgeRequestError(
      'SOURCE_BRIDGE_FAILED',
      why,
      `its last output: ${tail.slice(-3).join(' | ') || '(none)'}`,
      [],
      tail,
    );
  }
}

/**
 * Start a bridge and make its first request (the handshake that says the interpreter really imports
 * what is needed); the bridge is closed again when that fails.
 */
export async function openBridge<T>(
  python: PythonInterpreter,
  handshake: { op: string; timeoutMs: number },
  options: { cwd?: string } = {},
): Promise<{ bridge: PythonBridge; value: T }> {
  const bridge = new PythonBridge(python, options.cwd ? { cwd: options.cwd } : {});
  try {
    return { bridge, value: await bridge.request<T>(handshake.op, {}, handshake.timeoutMs) };
  } catch (e) {
    await bridge.close();
    throw e;
  }
}

/** What every typed client of one bridge process shares: liveness, its output tail, closing it. */
export abstract class BridgeClient {
  protected constructor(
    readonly python: PythonInterpreter,
    protected readonly bridge: PythonBridge,
  ) {}

  get alive(): boolean {
    return this.bridge.alive;
  }

  logTail(): string[] {
    return this.bridge.logTail();
  }

  close(): Promise<void> {
    return this.bridge.close();
  }
}
