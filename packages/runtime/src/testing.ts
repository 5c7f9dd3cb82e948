/**
 * `@crossrt/runtime/testing`: helpers for tests that drive host processes directly (adapter and
 * browser-host isolation tests). crossrt itself does not use this entry.
 */
import { readFileSync } from 'node:fs';
import { HostFailure } from './host/target-host.js';

/** Await a host request that must fail: its HostFailure; an error when it succeeds or fails otherwise. */
export async function failureOf(p: Promise<unknown>): Promise<HostFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HostFailure) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

/** Whether a process is gone: exited, or a zombie its parent has not reaped yet. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return true;
  }
  const state = /^State:\s+(\w)/m.exec(status)?.[1];
  return state === 'Z' || state === undefined;
}

/** Poll until every process is gone or `ms` pass; whether they all went. */
export async function waitUntilGone(pids: readonly number[], ms = 5000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (pids.every(processGone)) return true;
  }
  return pids.every(processGone);
}
