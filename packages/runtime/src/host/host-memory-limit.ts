import { totalmem } from 'node:os';

/** The environment variable that fixes the host memory limit in MB (0 disables the watchdog). */
export const MEMORY_LIMIT_ENV = 'CROSSRT_MEMORY_LIMIT_MB';

/**
 * The default limit of a host process tree's resident memory, per request, for a model of
 * `modelBytes` (graph file plus external data): max(floor, factor × model + headroom), at most `share`
 * of the machine's memory. A runtime keeps the weights once or twice (file bytes plus its own tensors,
 * prepacked copies), and the model's activations, the engine and a browser come on top; a fixed 4096 MB
 * killed a 2.3 GB model on a machine with 24 GB that could run it.
 */
export const HOST_MEMORY_RULE = { floorMb: 4096, modelFactor: 3, headroomMb: 1024, machineShare: 0.75 } as const;

const MB = 1024 * 1024;

/** The default rule's limit in MB for one model on a machine with `totalMemoryBytes`. Pure. */
export function defaultHostMemoryLimitMb(modelBytes: number, totalMemoryBytes: number): number {
  const { floorMb, modelFactor, headroomMb, machineShare } = HOST_MEMORY_RULE;
  const wanted = Math.max(floorMb, Math.ceil((modelFactor * Math.max(0, modelBytes)) / MB) + headroomMb);
  return Math.min(wanted, Math.floor((machineShare * totalMemoryBytes) / MB));
}

/** CROSSRT_MEMORY_LIMIT_MB as a number of MB, or undefined when unset or not a non-negative number. */
export function memoryLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[MEMORY_LIMIT_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  const mb = Number(text);
  return Number.isFinite(mb) && mb >= 0 ? mb : undefined;
}

/** Where a host's memory limit comes from: the caller's option, the environment, or the default rule. */
export interface HostMemoryLimitSource {
  /** A fixed limit set by the caller (TargetHostOptions.memoryLimitMb; the CLI's --memory-limit). */
  readonly optionMb?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly totalMemoryBytes?: number;
}

/** The limit in MB for a request on a model of `modelBytes` (0: no limit). A fixed limit wins over the rule. */
export function hostMemoryLimitMb(modelBytes: number, source: HostMemoryLimitSource = {}): number {
  return (
    source.optionMb ??
    memoryLimitFromEnv(source.env) ??
    defaultHostMemoryLimitMb(modelBytes, source.totalMemoryBytes ?? totalmem())
  );
}

/** The limit as a report states it: who set it, and either the fixed value or the rule with this machine's cap. */
export interface HostMemoryLimitSetting {
  readonly source: 'option' | 'env' | 'default';
  /** The fixed limit (0: none), when the option or the environment set one. */
  readonly fixedMb?: number;
  /** What decides the limit of one request, in words. */
  readonly rule: string;
}

export function describeHostMemoryLimit(source: HostMemoryLimitSource = {}): HostMemoryLimitSetting {
  const fixed = source.optionMb !== undefined ? { source: 'option' as const, mb: source.optionMb } : undefined;
  const fromEnv = memoryLimitFromEnv(source.env);
  const set = fixed ?? (fromEnv !== undefined ? { source: 'env' as const, mb: fromEnv } : undefined);
  if (set) {
    const who = set.source === 'env' ? `--memory-limit / ${MEMORY_LIMIT_ENV}` : 'memoryLimitMb option';
    return {
      source: set.source,
      fixedMb: set.mb,
      rule: set.mb === 0 ? `no limit (${who}=0)` : `${set.mb} MB per host process tree (${who})`,
    };
  }
  const { floorMb, modelFactor, headroomMb, machineShare } = HOST_MEMORY_RULE;
  const totalBytes = source.totalMemoryBytes ?? totalmem();
  const totalMb = Math.round(totalBytes / MB);
  const capMb = Math.floor((machineShare * totalBytes) / MB);
  return {
    source: 'default',
    rule: `max(${floorMb} MB, ${modelFactor} × model bytes + ${headroomMb} MB), at most ${machineShare * 100}% of ${totalMb} MB = ${capMb} MB, per host process tree and model`,
  };
}
