/** Helpers shared by this package's integration tests. */
import { afterAll } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { findTarget, TargetHost } from '@crossrt/runtime';

/**
 * `host(id)` starts a host for a catalogue target with `timeoutMs` per load and run; every host it
 * started is closed after the calling test file.
 */
export function trackedHosts(timeoutMs: number): (id: string) => TargetHost {
  const hosts: TargetHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.close()));
  });
  return (id) => {
    const h = new TargetHost(findTarget(id), { timeoutMs });
    hosts.push(h);
    return h;
  };
}

export const f32 = (dims: number[], values: ArrayLike<number>): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});
