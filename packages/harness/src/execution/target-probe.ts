import { availableParallelism } from 'node:os';
import type { Availability } from '@crossrt/core';
import { TARGET_CATALOGUE, TargetHost, type TargetDescriptor } from '@crossrt/runtime';
import { mapConcurrent } from './map-concurrent.js';

export type TargetAvailability = Availability & { readonly description: string };

/**
 * `crossrt targets`: every target probed in its own host process, available or not and why. One probe
 * per core at a time (each starts a host, five start a browser): ~8 s → ~7 s on 2 cores, where the
 * browsers' start-up CPU is what remains. A probe that fails is an answer too, never a throw.
 */
export async function probeTargets(
  targets: readonly TargetDescriptor[] = TARGET_CATALOGUE,
  concurrency = availableParallelism(),
): Promise<TargetAvailability[]> {
  return mapConcurrent(targets, concurrency, async (target): Promise<TargetAvailability> => {
    const host = new TargetHost(target, { timeoutMs: 60_000 });
    try {
      const p = await host.probe();
      return {
        target: target.id,
        available: p.available,
        reason: p.reason,
        ...(p.runtimeVersion ? { runtimeVersion: p.runtimeVersion } : {}),
        description: target.description,
      };
    } catch (e) {
      return {
        target: target.id,
        available: false,
        reason: `probe failed: ${(e as Error).message}`,
        description: target.description,
      };
    } finally {
      await host.close();
    }
  });
}
