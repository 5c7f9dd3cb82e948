/** The choice among a target's host environments, with a scripted probe (real hosts: runtime-ort-node/test/host-environment.test.ts). */
import { describe, expect, it } from 'vitest';
import type { HostEnvironment, TargetDescriptor } from '../target-catalogue.js';
import { findTarget } from '../target-catalogue.js';
import { chooseHostEnvironment } from './host-environment-choice.js';

const env = (name: string): HostEnvironment => ({ name, env: {} });
const target = (id: string, hostEnvironments: HostEnvironment[]): TargetDescriptor => ({
  ...findTarget('ort-node:cpu'),
  id,
  hostEnvironments,
});

describe('chooseHostEnvironment', () => {
  it('takes the first environment whose probe says available, probing in order and once per target', async () => {
    const probed: string[] = [];
    const probe = async (e: HostEnvironment) => (probed.push(e.name), e.name === 'b');
    const t = target('ort-node:cpu@choice-a', [env('a'), env('b'), env('c')]);
    expect((await chooseHostEnvironment(t, probe))?.name).toBe('b');
    expect((await chooseHostEnvironment(t, probe))?.name).toBe('b');
    expect(probed).toEqual(['a', 'b']);
  });

  it('counts a probe that throws (the host crashed) as not working, and falls back to the first when none works', async () => {
    const probe = async (e: HostEnvironment): Promise<boolean> => {
      if (e.name === 'a') throw new Error('host process killed by SIGSEGV');
      return false;
    };
    expect((await chooseHostEnvironment(target('ort-node:cpu@choice-b', [env('a'), env('b')]), probe))?.name).toBe('a');
  });

  it('never probes a target with one environment or none', async () => {
    const probe = async (): Promise<boolean> => {
      throw new Error('must not probe');
    };
    expect((await chooseHostEnvironment(target('ort-node:cpu@choice-c', [env('only')]), probe))?.name).toBe('only');
    expect(await chooseHostEnvironment(target('ort-node:cpu@choice-d', []), probe)).toBeUndefined();
  });
});
