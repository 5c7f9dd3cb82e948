import {
  hostLoadSettings,
  parseTargetList,
  startEarlyHost,
  threadsPerSession,
  type TargetDescriptor,
  type WarmRequest,
} from '@crossrt/runtime';
import { DEFAULT_TARGETS } from './default-targets.js';

/**
 * `crossrt conformance` spends its first ~0.25 s importing the harness, the report and their
 * dependencies while the second core idles; its host processes would only start after that. This
 * reads the few flags that decide which hosts the run will ask for and with which warm-up (targets,
 * --hosts-per-target, --placement-log) straight from argv, before the command modules load, so the
 * hosts start and warm up meanwhile (see @crossrt/runtime early-hosts). Commander still parses the
 * whole command line afterwards; a guess that does not match what the run asks for is never adopted
 * and costs a process start on the idle core.
 */
export function earlyConformanceHosts(argv: readonly string[]): { target: TargetDescriptor; warm: WarmRequest }[] {
  if (argv[0] !== 'conformance') return [];
  let targetList = DEFAULT_TARGETS;
  let hostsPerTarget = 1;
  let placementLog: 'auto' | 'always' = 'auto';
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (flag: string): string | undefined =>
      arg === flag ? argv[++i] : arg.startsWith(`${flag}=`) ? arg.slice(flag.length + 1) : undefined;
    if (arg === '--') break;
    if (arg === '-h' || arg === '--help') return [];
    const targets = value('--targets') ?? value('-t') ?? (/^-t[^-=]/.test(arg) ? arg.slice(2) : undefined);
    const hosts = value('--hosts-per-target');
    if (targets !== undefined) targetList = targets;
    else if (hosts !== undefined) hostsPerTarget = Number(hosts);
    else if (arg === '--placement-log') placementLog = 'always';
  }
  if (!Number.isInteger(hostsPerTarget) || hostsPerTarget < 1) return [];
  let targets: TargetDescriptor[];
  try {
    targets = parseTargetList(targetList);
  } catch {
    return []; // the real parse reports it
  }
  const threadsPerHost = threadsPerSession(hostsPerTarget * targets.length);
  return targets.map((target) => ({
    target,
    warm: {
      backend: target.backend,
      ...hostLoadSettings(target, { placementLog, ...(threadsPerHost ? { threadsPerHost } : {}) }),
    },
  }));
}

/** Start the hosts earlyConformanceHosts names (those that can start early: plain Node targets). */
export function startEarlyHosts(argv: readonly string[]): void {
  for (const { target, warm } of earlyConformanceHosts(argv)) startEarlyHost(target, warm);
}
