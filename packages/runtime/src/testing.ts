/**
 * `@crossrt/runtime/testing`: helpers for tests that drive host processes directly (adapter and
 * browser-host isolation tests). crossrt itself does not use this entry.
 */
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
