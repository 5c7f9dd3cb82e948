import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConversionRecord } from '@crossrt/core';
import { fillPlaceholders, runShell, tailLines } from './shell-command.js';

const versionCache = new Map<string, Promise<string>>();

/** A converter's version command runs once per run; its first line is recorded in every case it made. */
export function converterVersion(command: string, cwd: string): Promise<string> {
  let v = versionCache.get(`${cwd}\0${command}`);
  if (!v) {
    v = runShell(command, cwd, 30_000).then((r) =>
      r.exitCode === 0 ? (tailLines(r.output, 1000)[0] ?? '') : `version command failed (exit ${r.exitCode})`,
    );
    versionCache.set(`${cwd}\0${command}`, v);
  }
  return v;
}

/**
 * Run one converter step: `{out}` becomes the artifact path, `{suiteDir}` the suite folder. The step
 * succeeded only if the command exited 0 in time and left a non-empty file at {out}.
 */
export async function runConverterStep(
  step: { command: string; versionCommand?: string; timeoutSeconds: number },
  out: string,
  suiteDir: string,
): Promise<{ ok: boolean; record: ConversionRecord; why?: string }> {
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  const command = fillPlaceholders(step.command, { out, suiteDir });
  const r = await runShell(command, suiteDir, step.timeoutSeconds * 1000);
  const version = step.versionCommand ? await converterVersion(step.versionCommand, suiteDir) : undefined;
  const record: ConversionRecord = {
    command: step.command,
    output: out,
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    timedOut: r.timedOut,
    ...(version !== undefined ? { version } : {}),
    logTail: tailLines(r.output),
  };
  if (r.timedOut)
    return { ok: false, record, why: `converter did not finish within ${step.timeoutSeconds} s (killed)` };
  if (r.exitCode !== 0)
    return {
      ok: false,
      record,
      why: `converter exited with ${r.signal ? `signal ${r.signal}` : `code ${r.exitCode}`}`,
    };
  if (!existsSync(out) || statSync(out).size === 0)
    return { ok: false, record, why: `converter exited 0 but wrote no artifact at {out}` };
  return { ok: true, record };
}
