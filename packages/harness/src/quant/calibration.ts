import { CrossrtError, type HostTensor } from '@crossrt/core';
import { exposeTensors, qdqCalibrationTensors, type LoadedModel, type TensorRange } from '@crossrt/model';
import type { ModelRuns } from './model-runs.js';
import { outcomeLine } from '../run/outcome-line.js';

/** Tensors exposed per calibration run (bounds what one run returns). */
export const CALIBRATION_CHUNK = 256;

export interface CalibrationResult {
  /** min/max of every float32 tensor the quantizer asked for, over all input sets. */
  readonly ranges: ReadonlyMap<string, TensorRange>;
  /** Tensors asked for that came back non-float (shapes, indices): they stay unquantized. */
  readonly nonFloat: readonly string[];
}

/**
 * Min/max calibration: run the fp32 model with the tensors the quantizer needs exposed, over every
 * input set, on the runner's target (ort-node:cpu for `crossrt quantize`), keeping only each tensor's
 * smallest and largest finite value.
 */
export async function calibrateRanges(
  model: LoadedModel,
  runs: ModelRuns,
  sets: readonly ReadonlyMap<string, HostTensor>[],
): Promise<CalibrationResult> {
  const wanted = qdqCalibrationTensors(model.proto);
  const ranges = new Map<string, TensorRange>();
  const nonFloat: string[] = [];
  for (let i = 0; i < wanted.length; i += CALIBRATION_CHUNK) {
    const names = wanted.slice(i, i + CALIBRATION_CHUNK);
    const exec = await runs.run(exposeTensors(model.proto, names).model, model, sets);
    if (exec.outcome.status !== 'ok') {
      throw new CrossrtError(
        'CALIBRATION_FAILED',
        `the fp32 model did not run on ${runs.target.id} for calibration: ${outcomeLine(exec.outcome)}`,
        'check that `crossrt run` passes on this model with the same input flags',
      );
    }
    for (const name of names) {
      let lo = Infinity,
        hi = -Infinity,
        seen = false;
      for (const out of exec.outputs) {
        const t = out.get(name);
        if (!t) continue;
        if (t.dtype !== 'float32') break;
        seen = true;
        for (const v of t.data as Float32Array) {
          if (!Number.isFinite(v)) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      if (!seen) nonFloat.push(name);
      else ranges.set(name, lo <= hi ? { min: lo, max: hi } : { min: 0, max: 0 });
    }
  }
  return { ranges, nonFloat };
}
