import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { QuantizeRecord } from '@crossrt/core';
import { encodeModel, quantizeQdq, readModelFile } from '@crossrt/model';
import { findTarget, type TargetDescriptor } from '@crossrt/runtime';
import type { SideRunOptions } from '../run/input-settings.js';
import { TargetPool } from '../execution/target-pool.js';
import { calibrateRanges } from './calibration.js';
import { quantInputSets } from './input-sets.js';
import { ModelRuns } from './model-runs.js';

export const DEFAULT_CALIBRATION_SETS = 8;
export const CALIBRATION_TARGET = 'ort-node:cpu';

export interface QuantizeModelOptions extends SideRunOptions {
  readonly model: string;
  readonly out: string;
  readonly perChannel?: boolean;
  readonly calibrationSets?: number;
  readonly activationType?: 'uint8' | 'int8';
  /** 7-bit weights (onnxruntime's reduce_range): no int16 saturation in its U8S8 kernels on x86 without VNNI. */
  readonly reduceRange?: boolean;
  /** Where calibration runs (default ort-node:cpu). */
  readonly target?: TargetDescriptor;
  readonly timeoutMs?: number;
}

/**
 * `crossrt quantize`: seeded calibration sets → min/max of every tensor the quantizer needs, from the
 * fp32 model run with those tensors exposed → QDQ model written to `out` → one run of it on the same
 * target, so a model the runtime refuses is reported here and not found later.
 */
export async function quantizeModelFile(options: QuantizeModelOptions): Promise<QuantizeRecord> {
  const t0 = performance.now();
  const target = options.target ?? findTarget(CALIBRATION_TARGET);
  const model = await readModelFile(resolve(options.model));
  const count = Math.max(1, options.calibrationSets ?? DEFAULT_CALIBRATION_SETS);
  const inputs = await quantInputSets(model.proto, count, options);
  const pool = new TargetPool({ ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const runs = new ModelRuns(pool, target);
  try {
    const calibration = await calibrateRanges(model, runs, inputs.sets);
    const activationType = options.activationType ?? 'uint8';
    const reduceRange = options.reduceRange === true;
    const q = quantizeQdq(model.proto, calibration.ranges, {
      perChannel: options.perChannel === true,
      activationType,
      reduceRange,
    });
    const out = resolve(options.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, encodeModel(q.model));
    const written = await readModelFile(out);
    const check = await runs.run(written.proto, written, inputs.sets.slice(0, 1));
    const notes = [...q.notes];
    if (calibration.nonFloat.length > 0)
      notes.push(
        `${calibration.nonFloat.length} tensor(s) read by quantizable nodes are not float32 and stay as they are (e.g. ${calibration.nonFloat.slice(0, 3).join(', ')})`,
      );
    return {
      model: options.model,
      out: options.out,
      target: target.id,
      calibrationSets: inputs.sets.length,
      seed: options.seed ?? 0,
      perChannel: options.perChannel === true,
      reduceRange,
      activationType,
      quantizedNodes: q.quantizedNodes,
      activations: q.activations.length,
      weights: q.weights.filter((w) => w.kind !== 'bias').length,
      biases: q.weights.filter((w) => w.kind === 'bias').length,
      check: {
        status: check.outcome.status,
        ...(check.outcome.error ? { message: check.outcome.error.message.split('\n')[0]! } : {}),
      },
      durationMs: performance.now() - t0,
      notes,
    };
  } finally {
    await runs.close();
    await pool.close();
  }
}
