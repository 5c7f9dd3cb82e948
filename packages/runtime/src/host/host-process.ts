import { fork, type ChildProcess } from 'node:child_process';
import { packageFile } from '@crossrt/core/base';
import type { HostEnvironment, TargetDescriptor } from '../target-catalogue.js';
import { HOST_ENVIRONMENT_VAR } from './host-protocol.js';
import { hostMemoryLimitMb } from './host-memory-limit.js';

/** The compiled host entry (also when this module runs from sources under vitest, or inside the CLI bundle). */
function hostEntryPath(): string {
  return packageFile('@crossrt/runtime', 'dist', 'host', 'host-entry.js');
}

/**
 * Environment every host starts with (a value the user set in their own environment wins).
 * onnxruntime-node 1.30 on Linux records telemetry events: per process it creates
 * /tmp/mat-debug-<pid>.log and writes a SQLite store under ~/.cache/Microsoft/DeveloperTools with an
 * fsync per session (ORT skips this only when it sees a CI variable such as CI or GITHUB_ACTIONS); a
 * test harness should not phone home, litter /tmp, or pay for that (the ONNX node suite: ~0.3 s of
 * ort-node's session time on a developer machine). ORT_DISABLE_TELEMETRY=1 is ORT's own switch.
 */
export const HOST_ENV_DEFAULTS: Readonly<Record<string, string>> = { ORT_DISABLE_TELEMETRY: '1' };

export interface HostProcessOptions {
  /**
   * Resident-memory limit of the host process tree in MB, fixed for every model; 0 disables. Default:
   * CROSSRT_MEMORY_LIMIT_MB, else per request from the model's size and the machine's memory (host-memory-limit.ts).
   */
  readonly memoryLimitMb?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** How a host process is started: what TargetHost forks, and what an early host must match. */
export interface HostProcessSpec {
  readonly target: TargetDescriptor;
  readonly execArgv: readonly string[];
  /** Variables set on top of this process's environment. */
  readonly envOverrides: Readonly<Record<string, string>>;
  /** Equal keys mean interchangeable processes. */
  readonly key: string;
}

export function hostProcessSpec(
  target: TargetDescriptor,
  options: HostProcessOptions = {},
  environment?: HostEnvironment,
): HostProcessSpec {
  // The V8 heap holds no weights (they are ArrayBuffers or native memory): sized from the limit of a small model.
  const memoryLimitMb = hostMemoryLimitMb(0, {
    ...(options.memoryLimitMb !== undefined ? { optionMb: options.memoryLimitMb } : {}),
  });
  const heapMb = memoryLimitMb > 0 ? Math.max(256, Math.floor(memoryLimitMb / 2)) : undefined;
  // A V8 heap limit makes JS-side memory exhaustion a clean abort instead of swapping.
  const execArgv = [...(target.hostNodeFlags ?? []), ...(heapMb ? [`--max-old-space-size=${heapMb}`] : [])];
  const defaults = Object.fromEntries(Object.entries(HOST_ENV_DEFAULTS).filter(([k]) => process.env[k] === undefined));
  const envOverrides = {
    ...defaults,
    ...options.env,
    ...environment?.env,
    ...(environment ? { [HOST_ENVIRONMENT_VAR]: environment.name } : {}),
  };
  return { target, execArgv, envOverrides, key: JSON.stringify([target.adapterModule, execArgv, envOverrides]) };
}

export function forkHost(spec: HostProcessSpec): ChildProcess {
  return fork(hostEntryPath(), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...spec.envOverrides },
    execArgv: [...spec.execArgv],
  });
}
