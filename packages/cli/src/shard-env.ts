import { CrossrtError } from '@crossrt/core';
import { parseShard } from '@crossrt/harness';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Which shard this process runs (none: the whole suite) and where that came from, for the log and the report. */
export interface ResolvedShard {
  readonly shard?: Shard;
  /** e.g. `--shard 2/4`, `CI_NODE_INDEX=2 CI_NODE_TOTAL=4 (GitLab CI parallel)`, `none`. */
  readonly source: string;
}

/**
 * A CI system's parallel-job variables. `base` is what its index counts from: GitLab counts from 1,
 * Buildkite, CircleCI and Kubernetes from 0 — crossrt's shards count from 1, like `--shard i/n`.
 */
interface ShardSource {
  readonly name: string;
  readonly index: string;
  readonly count: string;
  readonly base: 0 | 1;
  /** Whether the count may be present alone (the CI sets it to 1 for a job that is not parallel). */
  readonly countAlone: boolean;
}

/**
 * Checked in this order; the first whose index or count is set decides. crossrt's own pair comes
 * first: the composite action sets it from its shard-index/shard-count inputs (GitHub has no
 * matrix-index variable; `${{ matrix.shard }}` reaches a step only through an input), and a user
 * who sets it means it over whatever CI the job runs on.
 */
export const SHARD_SOURCES: readonly ShardSource[] = [
  {
    name: "crossrt, or the GitHub Action's shard-index/shard-count inputs",
    index: 'CROSSRT_SHARD_INDEX',
    count: 'CROSSRT_SHARD_COUNT',
    base: 1,
    countAlone: false,
  },
  { name: 'GitLab CI parallel', index: 'CI_NODE_INDEX', count: 'CI_NODE_TOTAL', base: 1, countAlone: true },
  {
    name: 'Buildkite parallelism',
    index: 'BUILDKITE_PARALLEL_JOB',
    count: 'BUILDKITE_PARALLEL_JOB_COUNT',
    base: 0,
    countAlone: false,
  },
  { name: 'CircleCI parallelism', index: 'CIRCLE_NODE_INDEX', count: 'CIRCLE_NODE_TOTAL', base: 0, countAlone: true },
  // Kubernetes gives an Indexed Job's pods their index but not the Job's completions: the count is ours.
  {
    name: 'Kubernetes Indexed Job',
    index: 'JOB_COMPLETION_INDEX',
    count: 'CROSSRT_SHARD_COUNT',
    base: 0,
    countAlone: false,
  },
];

const value = (env: NodeJS.ProcessEnv, key: string): string | undefined => {
  const v = env[key]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

function integer(text: string, key: string, source: ShardSource): number {
  if (!/^\d+$/.test(text))
    throw new CrossrtError(
      'SHARD_ENV_INVALID',
      `${key}=${text} is not a non-negative integer (${source.name})`,
      hintFor(source),
    );
  return Number(text);
}

function hintFor(source: ShardSource): string {
  const k8s =
    source.index === 'JOB_COMPLETION_INDEX'
      ? '; for an Indexed Job set CROSSRT_SHARD_COUNT to its spec.completions'
      : '';
  return `set ${source.index} and ${source.count} together (${source.index} counts from ${source.base}), pass --shard i/n, or --no-shard to run the whole suite${k8s}`;
}

/**
 * The shard to run: `--shard i/n` wins, `--no-shard` (flag === false) runs everything whatever the
 * environment says, otherwise the first CI source found in `env`. A count of 1 is no sharding (GitLab
 * and CircleCI set their count to 1 in every job that is not parallel). Half a pair, an index outside
 * the count, or a non-integer is SHARD_ENV_INVALID: silently running the whole suite on every
 * parallel job, or a shard twice, would look like a green split that is not one.
 */
export function resolveShard(flag: string | false | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedShard {
  if (flag === false) return { source: '--no-shard' };
  if (flag !== undefined) {
    const shard = parseShard(flag);
    return { shard, source: `--shard ${shard.index}/${shard.count}` };
  }
  for (const s of SHARD_SOURCES) {
    const indexText = value(env, s.index);
    const countText = value(env, s.count);
    if (indexText === undefined && countText === undefined) continue;
    // CROSSRT_SHARD_COUNT alone belongs to the Kubernetes source (checked last), not to crossrt's pair.
    if (s.index === 'CROSSRT_SHARD_INDEX' && indexText === undefined) continue;
    if (countText === undefined)
      throw new CrossrtError(
        'SHARD_ENV_INVALID',
        `${s.index}=${indexText} is set but ${s.count} is not (${s.name})`,
        hintFor(s),
      );
    const count = integer(countText, s.count, s);
    if (count < 1)
      throw new CrossrtError('SHARD_ENV_INVALID', `${s.count}=${countText} must be at least 1 (${s.name})`, hintFor(s));
    if (indexText === undefined) {
      if (s.countAlone && count === 1) return { source: `${s.count}=1 (${s.name}): not sharded` };
      const missing =
        s.count === 'CROSSRT_SHARD_COUNT'
          ? 'neither CROSSRT_SHARD_INDEX nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is'
          : `${s.index} is not (${s.name})`;
      throw new CrossrtError('SHARD_ENV_INVALID', `${s.count}=${countText} is set but ${missing}`, hintFor(s));
    }
    const raw = integer(indexText, s.index, s);
    const index = raw + 1 - s.base;
    if (index < 1 || index > count) {
      throw new CrossrtError(
        'SHARD_ENV_INVALID',
        `${s.index}=${indexText} is outside ${s.count}=${countText} (${s.name}; the index counts from ${s.base})`,
        hintFor(s),
      );
    }
    const source = `${s.index}=${indexText} ${s.count}=${countText} (${s.name})`;
    return count === 1 ? { source: `${source}: not sharded` } : { shard: { index, count }, source };
  }
  return { source: 'none' };
}
