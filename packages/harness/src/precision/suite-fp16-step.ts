import { isCrossrtError } from '@crossrt/core';
import type { TargetDescriptor } from '@crossrt/runtime';
import type { CaseRun } from '../run/differential-run.js';
import { caseError } from '../report/report-builder.js';
import type { LoadedSuite, PlannedCase } from '../suite/suite-plan.js';
import type { TargetPool } from '../execution/target-pool.js';
import { readBlockList } from './precision-files.js';
import { parsePrecisionPolicy } from './precision-policy.js';
import { runPrecisionSearch } from './precision-search.js';

/**
 * A suite `fp16` variant: crossrt precision's float16 build of the model on the suite targets — a
 * search (gated by `maxFp32Nodes`) or the check of a stored block-list — its mixed model written to
 * the case's path. The CI gate "the fp16 build still needs only these N nodes in float32".
 */
export async function runFp16VariantCase(
  c: PlannedCase,
  loaded: LoadedSuite,
  targets: readonly TargetDescriptor[],
  pool: TargetPool,
): Promise<CaseRun> {
  const { suite } = loaded;
  const step = c.variant!.fp16!;
  try {
    const stored = step.blockList ? await readBlockList(step.blockList) : undefined;
    const policy = step.policy ? parsePrecisionPolicy(step.policy) : stored?.policy;
    const { report, search } = await runPrecisionSearch({
      model: c.variant!.of,
      targets,
      pool,
      seed: suite.seed,
      defaultDim: suite.defaultDim,
      dims: { ...suite.dims, ...c.dims },
      shapes: { ...suite.shapes, ...c.shapes },
      keepIoTypes: step.keepIoTypes ?? stored?.keepIoTypes ?? true,
      outModel: c.path,
      ...(policy ? { precisionPolicy: policy } : {}),
      ...(step.maxTrials ? { maxTrials: step.maxTrials } : {}),
      ...(stored ? { checkBlockList: stored.nodes } : {}),
    });
    const result = { ...report.cases[0]!, id: c.id };
    const over = step.maxFp32Nodes !== undefined && search.blockList.length > step.maxFp32Nodes;
    const notes = [
      ...(stored ? [`checked the block-list ${step.blockList} (${stored.nodes.length} node(s))`] : []),
      ...(over
        ? [
            `gate: the block-list needs ${search.blockList.length} float32 node(s), more than maxFp32Nodes ${step.maxFp32Nodes}`,
          ]
        : []),
      ...(result.notes ?? []),
    ];
    return {
      result: { ...result, ...(over && result.verdict === 'pass' ? { verdict: 'fail' as const } : {}), notes },
      outputs: new Map(),
    };
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { result: caseError(c.id, e), outputs: new Map() };
  }
}
