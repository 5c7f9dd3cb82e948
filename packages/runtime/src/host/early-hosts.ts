import type { ChildProcess } from 'node:child_process';
import type { WarmRequest } from '../runtime.js';
import type { TargetDescriptor } from '../target-catalogue.js';
import { forkHost, hostProcessSpec, type HostProcessOptions, type HostProcessSpec } from './host-process.js';
import type { HostReply } from './host-protocol.js';

/**
 * Host processes started before anything asks for them: a CLI that knows from its command line which
 * targets it will run starts them first, so Node start-up, the runtime's import and its warm-up
 * (ort-web's wasm compile) run on an idle core while the CLI imports its own modules. The first
 * TargetHost whose process spec and warm-up equal an early host's adopts it instead of forking; an
 * early host nobody adopts never keeps the parent alive and exits with it. A wrong guess costs a
 * process start, never a result: adoption needs the same adapter, V8 flags, environment and warm-up
 * settings (the wasm log level and thread count are fixed when the module starts).
 */
interface EarlyHost {
  readonly targetId: string;
  readonly key: string;
  readonly child: ChildProcess;
  /** Everything the process printed before it was adopted (becomes the start of its log tail). */
  readonly output: string[];
  /** Resolves once the warm-up probe answered (true) or the process is gone (false). */
  readonly ready: Promise<boolean>;
}

/** Request id of the early warm-up probe; a TargetHost's own ids start at 1. */
const EARLY_PROBE_ID = 0;

const waiting: EarlyHost[] = [];

function earlyKey(spec: HostProcessSpec, warm: WarmRequest): string {
  return JSON.stringify([spec.key, warm.backend, warm.placementLog, warm.threads ?? null]);
}

/**
 * Start a host for `target` now and warm it with `warm` (the load settings its harness will use).
 * Only plain Node targets (no host-environment choice, which needs probing first) can start early;
 * returns the process id, or undefined when this target cannot start early.
 */
export function startEarlyHost(
  target: TargetDescriptor,
  warm: WarmRequest,
  options: HostProcessOptions = {},
): number | undefined {
  if (target.environment !== 'node' || (target.hostEnvironments?.length ?? 0) > 0) return undefined;
  const spec = hostProcessSpec(target, options);
  const child = forkHost(spec);
  const output: string[] = [];
  const onData = (d: string) => output.push(d);
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  const ready = new Promise<boolean>((resolve) => {
    child.on('message', (reply: HostReply) => {
      if (reply.id === EARLY_PROBE_ID) resolve(reply.ok);
    });
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  child.send({ id: EARLY_PROBE_ID, type: 'probe', adapterModule: target.adapterModule, backend: target.backend, warm });
  // Until adopted, it must not hold the parent's event loop open.
  setHeld(child, false);
  waiting.push({ targetId: target.id, key: earlyKey(spec, warm), child, output, ready });
  return child.pid;
}

/**
 * The early host matching this process spec and warm-up, once its warm-up answered, handed over with
 * its output so far; undefined when there is none or it died meanwhile.
 */
export async function adoptEarlyHost(
  spec: HostProcessSpec,
  warm: WarmRequest,
): Promise<{ child: ChildProcess; output: readonly string[] } | undefined> {
  const key = earlyKey(spec, warm);
  // Early hosts of this target started with other settings will not be asked for: stop them.
  for (const stale of waiting.filter((h) => h.targetId === spec.target.id && h.key !== key)) {
    waiting.splice(waiting.indexOf(stale), 1);
    stale.child.kill('SIGKILL');
  }
  const i = waiting.findIndex((h) => h.key === key);
  if (i < 0) return undefined;
  const [early] = waiting.splice(i, 1);
  const { child } = early!;
  // Held again before waiting on it: an unref'd child would let this process exit meanwhile.
  setHeld(child, true);
  const ok = await early!.ready;
  if (!ok || child.exitCode !== null || child.signalCode !== null || !child.connected) {
    child.kill('SIGKILL');
    return undefined;
  }
  for (const event of ['message', 'exit', 'error'] as const) child.removeAllListeners(event);
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  return { child, output: early!.output };
}

/** Early hosts started and not adopted (yet). */
export function earlyHostCount(): number {
  return waiting.length;
}

/** Whether the child (its process, IPC channel and output pipes) keeps this process's event loop alive. */
function setHeld(child: ChildProcess, held: boolean): void {
  const handles: ({ ref(): unknown; unref(): unknown } | null | undefined)[] = [
    child,
    child.channel,
    child.stdout as never,
    child.stderr as never,
  ];
  for (const h of handles) {
    if (held) h?.ref();
    else h?.unref();
  }
}
