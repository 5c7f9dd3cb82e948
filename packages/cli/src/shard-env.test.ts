/** Shard index/count from `--shard` or the CI's parallel-job variables (shard-env.ts). */
import { describe, expect, it } from 'vitest';
import { isCrossrtError } from '@crossrt/core';
import { resolveShard } from './shard-env.js';

function failure(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    if (isCrossrtError(e)) return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    throw e;
  }
  throw new Error('expected a CrossrtError');
}

describe('resolveShard', () => {
  it('takes --shard over any environment, and --no-shard ignores the environment', () => {
    expect(resolveShard('2/4', { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).toEqual({
      shard: { index: 2, count: 4 },
      source: '--shard 2/4',
    });
    expect(resolveShard(false, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).toEqual({ source: '--no-shard' });
    expect(failure(() => resolveShard('5/4', {})).code).toBe('USAGE');
  });

  it('is not sharded with no CI variables', () => {
    expect(resolveShard(undefined, { PATH: '/usr/bin', CI: 'true' })).toEqual({ source: 'none' });
  });

  it('reads each CI system with its own index base (GitLab from 1, the others from 0)', () => {
    const cases: [NodeJS.ProcessEnv, number, string][] = [
      [
        { CROSSRT_SHARD_INDEX: '2', CROSSRT_SHARD_COUNT: '3' },
        2,
        "CROSSRT_SHARD_INDEX=2 CROSSRT_SHARD_COUNT=3 (crossrt, or the GitHub Action's shard-index/shard-count inputs)",
      ],
      [{ CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' }, 2, 'CI_NODE_INDEX=2 CI_NODE_TOTAL=3 (GitLab CI parallel)'],
      [
        { BUILDKITE_PARALLEL_JOB: '1', BUILDKITE_PARALLEL_JOB_COUNT: '3' },
        2,
        'BUILDKITE_PARALLEL_JOB=1 BUILDKITE_PARALLEL_JOB_COUNT=3 (Buildkite parallelism)',
      ],
      [
        { CIRCLE_NODE_INDEX: '1', CIRCLE_NODE_TOTAL: '3' },
        2,
        'CIRCLE_NODE_INDEX=1 CIRCLE_NODE_TOTAL=3 (CircleCI parallelism)',
      ],
      [
        { JOB_COMPLETION_INDEX: '1', CROSSRT_SHARD_COUNT: '3' },
        2,
        'JOB_COMPLETION_INDEX=1 CROSSRT_SHARD_COUNT=3 (Kubernetes Indexed Job)',
      ],
    ];
    for (const [env, index, source] of cases)
      expect(resolveShard(undefined, env)).toEqual({ shard: { index, count: 3 }, source });
    // The first and last shard of a 0-based system.
    expect(resolveShard(undefined, { CIRCLE_NODE_INDEX: '0', CIRCLE_NODE_TOTAL: '4' }).shard).toEqual({
      index: 1,
      count: 4,
    });
    expect(resolveShard(undefined, { BUILDKITE_PARALLEL_JOB: '3', BUILDKITE_PARALLEL_JOB_COUNT: '4' }).shard).toEqual({
      index: 4,
      count: 4,
    });
  });

  it('treats a count of 1 as no sharding (GitLab and CircleCI set it in every job)', () => {
    expect(resolveShard(undefined, { CI_NODE_TOTAL: '1' })).toEqual({
      source: 'CI_NODE_TOTAL=1 (GitLab CI parallel): not sharded',
    });
    expect(resolveShard(undefined, { CIRCLE_NODE_INDEX: '0', CIRCLE_NODE_TOTAL: '1' }).shard).toBeUndefined();
  });

  it("prefers crossrt's own variables (set by the action) over the CI it runs on", () => {
    const r = resolveShard(undefined, {
      CROSSRT_SHARD_INDEX: '1',
      CROSSRT_SHARD_COUNT: '2',
      CIRCLE_NODE_INDEX: '3',
      CIRCLE_NODE_TOTAL: '4',
    });
    expect(r.shard).toEqual({ index: 1, count: 2 });
    // Empty values (an action input left blank) count as unset.
    expect(
      resolveShard(undefined, {
        CROSSRT_SHARD_INDEX: '',
        CROSSRT_SHARD_COUNT: '',
        CI_NODE_INDEX: '3',
        CI_NODE_TOTAL: '4',
      }).shard,
    ).toEqual({ index: 3, count: 4 });
  });

  it('refuses half a pair, non-integers and indexes outside the count, naming the variable', () => {
    const e1 = failure(() => resolveShard(undefined, { CI_NODE_INDEX: '2' }));
    expect(e1).toMatchObject({
      code: 'SHARD_ENV_INVALID',
      message: 'CI_NODE_INDEX=2 is set but CI_NODE_TOTAL is not (GitLab CI parallel)',
    });
    expect(e1.hint).toContain('--no-shard');
    expect(failure(() => resolveShard(undefined, { CI_NODE_INDEX: '0', CI_NODE_TOTAL: '2' })).message).toBe(
      'CI_NODE_INDEX=0 is outside CI_NODE_TOTAL=2 (GitLab CI parallel; the index counts from 1)',
    );
    expect(
      failure(() => resolveShard(undefined, { CIRCLE_NODE_INDEX: '2', CIRCLE_NODE_TOTAL: '2' })).message,
    ).toContain('counts from 0');
    expect(
      failure(() => resolveShard(undefined, { BUILDKITE_PARALLEL_JOB: 'one', BUILDKITE_PARALLEL_JOB_COUNT: '2' }))
        .message,
    ).toBe('BUILDKITE_PARALLEL_JOB=one is not a non-negative integer (Buildkite parallelism)');
    expect(failure(() => resolveShard(undefined, { BUILDKITE_PARALLEL_JOB_COUNT: '2' })).code).toBe(
      'SHARD_ENV_INVALID',
    );
    expect(failure(() => resolveShard(undefined, { CROSSRT_SHARD_INDEX: '1' })).message).toContain(
      'CROSSRT_SHARD_COUNT is not',
    );
    expect(failure(() => resolveShard(undefined, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '0' })).message).toBe(
      'CI_NODE_TOTAL=0 must be at least 1 (GitLab CI parallel)',
    );
  });

  it('needs a count for a Kubernetes Indexed Job, which only gives the index', () => {
    const e = failure(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: '3' }));
    expect(e).toMatchObject({
      code: 'SHARD_ENV_INVALID',
      message: 'JOB_COMPLETION_INDEX=3 is set but CROSSRT_SHARD_COUNT is not (Kubernetes Indexed Job)',
    });
    expect(e.hint).toContain('spec.completions');
    expect(failure(() => resolveShard(undefined, { CROSSRT_SHARD_COUNT: '4' })).message).toBe(
      'CROSSRT_SHARD_COUNT=4 is set but neither CROSSRT_SHARD_INDEX nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is',
    );
  });
});
