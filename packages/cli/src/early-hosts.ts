import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostLoadSettings, parseTargetList, startEarlyHost, threadsPerSession, type TargetDescriptor, type WarmRequest } from '@crossrt/runtime';
import { DEFAULT_TARGETS } from './default-targets.js';

/**
 * `crossrt conformance` spends its first ~0.25 s importing the harness, the report and their
 * dependencies while the second core idles; its host processes would only start after that. This
 * reads the few flags that decide which hosts the run will ask for and with which warm-up (targets,
 * --hosts-per-target, --placement-log) straight from argv, before the command modules load, so the
 * hosts start and warm up meanwhile (see @crossrt/runtime early-hosts). When the positional dirs hold
 * exactly one case, onnxruntime-node's hosts load its model instead of the warm-up model (`preload`).
 * Commander still parses the whole command line afterwards; a guess that does not match what the run
 * asks for is never adopted and costs a process start (or one session creation) on the idle core.
 */
export function earlyConformanceHosts(argv: readonly string[]): { target: TargetDescriptor; warm: WarmRequest; preload?: string }[] {
  if (argv[0] !== 'conformance') return [];
  let targetList = DEFAULT_TARGETS;
  let hostsPerTarget = 1;
  let placementLog: 'auto' | 'always' = 'auto';
  const dirs: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (flag: string): string | undefined => (arg === flag ? argv[++i] : arg.startsWith(`${flag}=`) ? arg.slice(flag.length + 1) : undefined);
    if (arg === '--') {
      dirs.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-')) {
      dirs.push(arg);
      continue;
    }
    if (arg === '-h' || arg === '--help') return [];
    const targets = value('--targets') ?? value('-t') ?? (/^-t[^-=]/.test(arg) ? arg.slice(2) : undefined);
    const hosts = value('--hosts-per-target');
    if (targets !== undefined) targetList = targets;
    else if (hosts !== undefined) hostsPerTarget = Number(hosts);
    else if (arg === '--placement-log') placementLog = 'always';
    else if (VALUE_FLAGS.has(arg)) i++;
  }
  if (!Number.isInteger(hostsPerTarget) || hostsPerTarget < 1) return [];
  let targets: TargetDescriptor[];
  try {
    targets = parseTargetList(targetList);
  } catch {
    return []; // the real parse reports it
  }
  const threadsPerHost = threadsPerSession(hostsPerTarget * targets.length);
  const only = hostsPerTarget === 1 ? onlyCaseModel(dirs) : undefined;
  return targets.map((target) => {
    const warm = { backend: target.backend, ...hostLoadSettings(target, { placementLog, ...(threadsPerHost ? { threadsPerHost } : {}) }) };
    // onnxruntime-web's hosts are left alone: the harness may refuse the model for its wasm memory first.
    return { target, warm, ...(only && target.runtime === 'ort-node' ? { preload: only } : {}) };
  });
}

/** Start the hosts earlyConformanceHosts names (those that can start early: plain Node targets). */
export function startEarlyHosts(argv: readonly string[]): void {
  for (const { target, warm, preload } of earlyConformanceHosts(argv)) startEarlyHost(target, warm, {}, preload);
}

/** Conformance flags that take a value (the next argument, unless written `--flag=value`). */
const VALUE_FLAGS = new Set(['-t', '--targets', '--rtol', '--atol', '--case-tolerance', '--tolerances', '-k', '--known-failures', '--matrix', '--matrix-json', '--json', '--timeout', '--placement', '-j', '--jobs', '--hosts-per-target', '--batch', '--memory-limit']);

const isCaseDir = (dir: string): boolean => {
  try {
    const names = readdirSync(dir);
    return names.includes('model.onnx') && names.some((n) => n.startsWith('test_data_set_'));
  } catch {
    return false;
  }
};

/**
 * The model of the run's one test case, when `dirs` (as findBackendTestCases expands them) hold exactly
 * one: its host can load it while this process is still importing the harness (host-entry.ts, preload).
 * With several cases the first one a host is asked for depends on which is read first, so nothing is
 * guessed (a wrong guess would cost a session creation on a shared core).
 */
export function onlyCaseModel(dirs: readonly string[]): string | undefined {
  const found: string[] = [];
  for (const dir of dirs) {
    if (isCaseDir(dir)) found.push(dir);
    else {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return undefined;
      }
      for (const e of entries) {
        if (e.isDirectory() && isCaseDir(join(dir, e.name))) found.push(join(dir, e.name));
        if (found.length > 1) return undefined;
      }
    }
    if (found.length > 1) return undefined;
  }
  return found.length === 1 ? join(found[0]!, 'model.onnx') : undefined;
}
