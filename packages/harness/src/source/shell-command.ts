import { spawn } from 'node:child_process';

/** What a shell command did: how it ended, how long it took, and the end of what it printed. */
export interface ShellResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** stdout and stderr interleaved, the last 64 KiB. */
  readonly output: string;
  readonly durationMs: number;
}

const KEEP_BYTES = 64 * 1024;
const TAIL = 30;

/** The last non-empty lines of a command's output, as reports keep them. */
export function tailLines(text: string, n = TAIL): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n);
}

/** POSIX single-quoting, so a path with spaces or quotes reaches the command as one word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Replace each `{name}` in a command template by the quoted value; unknown braces are left alone. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  let command = template;
  for (const [name, value] of Object.entries(values)) command = command.replaceAll(`{${name}}`, shellQuote(value));
  return command;
}

/**
 * Run a shell command in its own process group, so a timeout kills the command and every child it
 * started (a `python3` under `sh -c`, a converter's worker processes), not just the shell.
 */
export function runShell(command: string, cwd: string, timeoutMs: number): Promise<ShellResult> {
  const t0 = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-KEEP_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, signal, timedOut, output, durationMs: performance.now() - t0 });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolvePromise({
        exitCode: null,
        signal: null,
        timedOut,
        output: `${output}\n${e.message}`,
        durationMs: performance.now() - t0,
      });
    });
  });
}
