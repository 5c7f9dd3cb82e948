import { isCrossrtError, type Tolerance } from '@crossrt/core';
import { findTarget, type TargetDescriptor } from '@crossrt/runtime';
import { runModelCase, type CaseRun } from '../run/differential-run.js';
import { caseError } from '../report/report-builder.js';
import type { LoadedSuite, PlannedCase } from '../suite/suite-plan.js';
import type { TargetPool } from '../execution/target-pool.js';
import { quantErrorCase } from './quant-error-run.js';
import { quantizeModelFile } from './quantize-model.js';

/**
 * A suite variant: make it (`quantize`: crossrt's QDQ quantizer, calibrated with the suite's seed,
 * dims and shapes), then judge it — `quantError` against its fp32 model on one target with the gate's
 * bounds deciding the verdict, or, without a step, as a model of its own on every suite target.
 */
export async function runVariantCase(
  c: PlannedCase,
  loaded: LoadedSuite,
  targets: readonly TargetDescriptor[],
  pool: TargetPool,
  tolerance: Tolerance,
): Promise<CaseRun> {
  const { suite } = loaded;
  const v = c.variant!;
  const dims = { ...suite.dims, ...c.dims };
  const shapes = { ...suite.shapes, ...c.shapes };
  const sides = { seed: suite.seed, defaultDim: suite.defaultDim, dims, shapes };
  const notes: string[] = [];
  try {
    if (v.quantize) {
      const made = await quantizeModelFile({
        model: v.of,
        out: c.path,
        ...sides,
        timeoutMs: suite.timeoutSeconds * 1000,
        perChannel: v.quantize.perChannel === true,
        reduceRange: v.quantize.reduceRange === true,
        ...(v.quantize.calibrationSets ? { calibrationSets: v.quantize.calibrationSets } : {}),
        ...(v.quantize.activationType ? { activationType: v.quantize.activationType } : {}),
      });
      notes.push(
        `quantized by crossrt quantize: ${made.quantizedNodes} node(s), weights ${made.perChannel ? 'per channel' : 'per tensor'}${made.reduceRange ? ' in 7 bits' : ''}, ${made.calibrationSets} calibration set(s) on ${made.target}`,
      );
    }
    if (!v.quantError) {
      const run = await runModelCase(
        c.path,
        c.id,
        { targets, seed: suite.seed, tolerance, defaultDim: suite.defaultDim, dims, shapes },
        pool,
      );
      return { ...run, result: { ...run.result, notes: [...notes, ...(run.result.notes ?? [])] } };
    }
    const step = v.quantError;
    const result = await quantErrorCase(
      {
        model: v.of,
        variant: c.path,
        target: findTarget(step.target ?? suite.targets[0]!),
        ...sides,
        ...(step.jumpDb !== undefined ? { jumpDb: step.jumpDb } : {}),
        ...(step.samples ? { inputs: { samples: step.samples } } : {}),
        gate: {
          ...(step.minSnrDb !== undefined ? { minSnrDb: step.minSnrDb } : {}),
          ...(step.minTensorSnrDb !== undefined ? { minTensorSnrDb: step.minTensorSnrDb } : {}),
          ...(step.minWeightSnrDb !== undefined ? { minWeightSnrDb: step.minWeightSnrDb } : {}),
          ...(step.failOnJump !== undefined ? { failOnJump: step.failOnJump } : {}),
        },
      },
      pool,
    );
    return { result: { ...result, id: c.id, notes: [...notes, ...(result.notes ?? [])] }, outputs: new Map() };
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { result: caseError(c.id, e), outputs: new Map() };
  }
}
