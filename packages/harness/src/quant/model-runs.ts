import type { HostTensor } from '@crossrt/core';
import type { LoadedModel, ModelProto } from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { CandidateFiles } from '../graph/candidate-files.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import type { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import { declaredFeeds, graphInputNames } from '../run/declared-feeds.js';

/**
 * Runs transformed copies of a model (tensors exposed) on one target over several input sets in one
 * session each, through the pool's host processes; the files are removed after each run.
 */
export class ModelRuns {
  runs = 0;
  private readonly files = new CandidateFiles('crossrt-quant');

  constructor(
    private readonly pool: TargetPool,
    readonly target: TargetDescriptor,
  ) {}

  async run(
    proto: ModelProto,
    origin: LoadedModel,
    feedSets: readonly ReadonlyMap<string, HostTensor>[],
  ): Promise<TargetExecution> {
    const path = await this.files.write(proto, origin);
    try {
      const declared = graphInputNames(proto);
      const own = feedSets.map((feeds) => declaredFeeds(declared, feeds));
      this.runs++;
      return await executeOnTarget(this.pool, this.target, path, own, proto.graph?.node.length ?? 0);
    } finally {
      await this.files.remove(path);
    }
  }

  close(): Promise<void> {
    return this.files.close();
  }
}
