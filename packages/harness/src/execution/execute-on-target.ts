import type { HostTensor } from '@crossrt/core';
import type { ModelProto } from '@crossrt/model';
import { HostFailure, modelSizeRefusal, type TargetDescriptor } from '@crossrt/runtime';
import { modelLoadBytes } from './model-bytes.js';
import { failedTargetExecution, okTargetExecution, type TargetExecution } from './target-outcome.js';
import type { TargetPool } from './target-pool.js';

/**
 * Load a model on one target once and run it on each input set; every failure becomes an outcome,
 * never an exception. `runMs` is the mean over the sets. `model` (the decoded file, when the caller
 * has it) spares a second read when a GPU target's placement needs the graph's node classes.
 */
export async function executeOnTarget(
  pool: TargetPool,
  target: TargetDescriptor,
  modelPath: string,
  feedSets: readonly Readonly<Record<string, HostTensor>>[],
  graphNodes: number,
  model?: ModelProto,
): Promise<TargetExecution> {
  const t0 = performance.now();
  const modelBytes = modelLoadBytes(modelPath, model);
  // A model the target cannot address is refused here, with the limit and the size, not by the watchdog after minutes of copying.
  const refusal = modelSizeRefusal(target, modelBytes);
  if (refusal)
    return failedTargetExecution(
      target,
      new HostFailure('unavailable', `${refusal.message}. ${refusal.hint}`, [], refusal.code),
    );
  const graph = { modelPath, graphNodes, model };
  if (pool.batches(target)) {
    const r = await pool.submit(target, { modelPath, feedSets }, modelBytes);
    return 'failure' in r
      ? failedTargetExecution(target, r.failure)
      : okTargetExecution(pool, target, r.reply, r.lines, graph, t0);
  }
  const load = pool.loadSettings(target);
  const host = await pool.acquire(target);
  try {
    const { reply, lines } = await host.execute(modelPath, feedSets, load.placementLog, load.threads, modelBytes);
    const exec = await okTargetExecution(pool, target, reply, lines, graph, t0);
    // A host whose log lost a session's placement block is not trusted with the next case's proof.
    if (exec.outcome.placement?.source === 'log-missing') await host.close();
    return exec;
  } catch (e) {
    return failedTargetExecution(
      target,
      e instanceof HostFailure ? e : new HostFailure('crash', (e as Error).message, host.logTail()),
    );
  } finally {
    pool.release(target, host);
  }
}
