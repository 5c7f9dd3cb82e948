import type { HostEnvironment, TargetDescriptor } from '../target-catalogue.js';

/**
 * Whether a host started in `environment` finds the target's backend available; false when the
 * probe crashes the host (that environment does not work). The caller starts the host (TargetHost),
 * so this module needs no process code.
 */
export type EnvironmentProbe = (environment: HostEnvironment) => Promise<boolean>;

/** Chosen environment per target id, decided once per harness process (each probe costs a host start). */
const chosenEnvironments = new Map<string, Promise<HostEnvironment | undefined>>();

/**
 * The first of a target's host environments whose probe says available (e.g. the system GPU driver,
 * else SwiftShader). When none is, the first one is used so the target reports the first reason. A
 * target with a single candidate is never probed for it: its own probe gives the reason.
 */
export function chooseHostEnvironment(
  target: TargetDescriptor,
  probe: EnvironmentProbe,
): Promise<HostEnvironment | undefined> {
  const candidates = target.hostEnvironments ?? [];
  if (candidates.length === 0) return Promise.resolve(undefined);
  let chosen = chosenEnvironments.get(target.id);
  if (!chosen) {
    chosen = (async () => {
      if (candidates.length === 1) return candidates[0];
      for (const candidate of candidates) {
        if (await probe(candidate).catch(() => false)) return candidate;
      }
      return candidates[0];
    })();
    chosenEnvironments.set(target.id, chosen);
  }
  return chosen;
}
