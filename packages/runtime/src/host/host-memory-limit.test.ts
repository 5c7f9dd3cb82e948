import { describe, expect, it } from 'vitest';
import {
  defaultHostMemoryLimitMb,
  describeHostMemoryLimit,
  hostMemoryLimitMb,
  memoryLimitFromEnv,
} from './host-memory-limit.js';
import { hostProcessSpec } from './host-process.js';
import type { TargetDescriptor } from '../target-catalogue.js';

const MB = 2 ** 20;
const GB = 2 ** 30;

describe('host memory limit', () => {
  it('is 4096 MB for small models on a large machine', () => {
    expect(defaultHostMemoryLimitMb(0, 24 * GB)).toBe(4096);
    // 3 × 1000 MB + 1024 MB = 4024 MB: still the floor
    expect(defaultHostMemoryLimitMb(1000 * MB, 24 * GB)).toBe(4096);
  });

  it('grows with the model: 3 × model bytes + 1024 MB', () => {
    // 2.25 GiB model: 3 × 2304 MB + 1024 MB = 7936 MB (the 2.3 GB external-data model the issue saw killed at 4096)
    expect(defaultHostMemoryLimitMb(2304 * MB, 24 * GB)).toBe(7936);
    // a byte over a whole MB rounds up
    expect(defaultHostMemoryLimitMb(2000 * MB + 1, 24 * GB)).toBe(3 * 2000 + 1 + 1024);
  });

  it('is capped at 75% of the machine, below the floor too', () => {
    // 24 GiB: cap 18432 MB; a 10 GiB model would want 31744 MB
    expect(defaultHostMemoryLimitMb(10 * GB, 24 * GB)).toBe(18432);
    // 4 GiB machine: cap 3072 MB even for a tiny model
    expect(defaultHostMemoryLimitMb(5 * MB, 4 * GB)).toBe(3072);
  });

  it('a fixed limit (option, then env) wins over the rule', () => {
    expect(hostMemoryLimitMb(3 * GB, { optionMb: 500, env: { CROSSRT_MEMORY_LIMIT_MB: '900' } })).toBe(500);
    expect(hostMemoryLimitMb(3 * GB, { env: { CROSSRT_MEMORY_LIMIT_MB: '900' } })).toBe(900);
    expect(hostMemoryLimitMb(3 * GB, { env: { CROSSRT_MEMORY_LIMIT_MB: '0' } })).toBe(0);
    expect(hostMemoryLimitMb(3 * GB, { env: {}, totalMemoryBytes: 24 * GB })).toBe(3 * 3072 + 1024);
    // not a number: ignored, the rule applies
    expect(memoryLimitFromEnv({ CROSSRT_MEMORY_LIMIT_MB: 'lots' })).toBeUndefined();
    expect(memoryLimitFromEnv({ CROSSRT_MEMORY_LIMIT_MB: ' ' })).toBeUndefined();
  });

  it('reads the environment when asked, not when imported', () => {
    const before = process.env['CROSSRT_MEMORY_LIMIT_MB'];
    try {
      process.env['CROSSRT_MEMORY_LIMIT_MB'] = '1234';
      expect(hostMemoryLimitMb(0)).toBe(1234);
      const target = { id: 'x', hostNodeFlags: [] } as unknown as TargetDescriptor;
      expect(hostProcessSpec(target).execArgv).toContain('--max-old-space-size=617');
      delete process.env['CROSSRT_MEMORY_LIMIT_MB'];
      expect(hostMemoryLimitMb(0, { totalMemoryBytes: 24 * GB })).toBe(4096);
    } finally {
      if (before === undefined) delete process.env['CROSSRT_MEMORY_LIMIT_MB'];
      else process.env['CROSSRT_MEMORY_LIMIT_MB'] = before;
    }
  });

  it('states the rule for the report', () => {
    expect(describeHostMemoryLimit({ env: {}, totalMemoryBytes: 24 * GB })).toEqual({
      source: 'default',
      rule: 'max(4096 MB, 3 × model bytes + 1024 MB), at most 75% of 24576 MB = 18432 MB, per host process tree and model',
    });
    expect(describeHostMemoryLimit({ env: { CROSSRT_MEMORY_LIMIT_MB: '6000' } })).toEqual({
      source: 'env',
      fixedMb: 6000,
      rule: '6000 MB per host process tree (--memory-limit / CROSSRT_MEMORY_LIMIT_MB)',
    });
    expect(describeHostMemoryLimit({ optionMb: 0 })).toEqual({
      source: 'option',
      fixedMb: 0,
      rule: 'no limit (memoryLimitMb option=0)',
    });
  });
});
