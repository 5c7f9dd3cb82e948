import type { TopKAgreement } from '@crossrt/core';
import type { FloatArray } from './float-metrics.js';

/** Largest k reported for top-k overlap. */
export const TOP_K = 5;
const MAX_CLASSES = 1_000_000;

/**
 * Does an output look like class scores (logits, probabilities)? Float, last axis of 2..1e6 classes, and
 * either rank 2 ([batch, classes]) or a name that says so (`logits`, `scores`, `probs`, ...). Outputs
 * named like recurrent state or caches never count: their last axis is a hidden size, not classes.
 */
export function looksLikeClassScores(name: string, dims: readonly number[]): boolean {
  const classes = dims[dims.length - 1];
  if (classes === undefined || classes < 2 || classes > MAX_CLASSES) return false;
  if (/state|hidden|cache|past|present|^h[nt]?$|^c[nt]?$|embed/i.test(name)) return false;
  return dims.length === 2 || /logit|score|prob|class|softmax|pred/i.test(name);
}

/**
 * Row-wise agreement along the last axis: top-1 (same argmax) and top-k overlap. A separate pass over the
 * data, run only for class-score outputs; NaN scores rank lowest. Allocation is per call, not per row.
 */
export function topKAgreement(a: FloatArray, r: FloatArray, classes: number, kMax = TOP_K): TopKAgreement {
  const rows = Math.floor(a.length / classes);
  const k = Math.min(kMax, classes);
  const idxA = new Int32Array(k),
    valA = new Float64Array(k);
  const idxR = new Int32Array(k),
    valR = new Float64Array(k);
  let top1 = 0,
    overlap = 0;
  for (let row = 0; row < rows; row++) {
    const base = row * classes;
    selectTopK(a, base, classes, k, idxA, valA);
    selectTopK(r, base, classes, k, idxR, valR);
    if (idxA[0] === idxR[0]) top1++;
    let shared = 0;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++)
        if (idxA[i] === idxR[j]) {
          shared++;
          break;
        }
    overlap += shared / k;
  }
  return { rows, classes, k, top1: rows ? top1 / rows : 1, topKOverlap: rows ? overlap / rows : 1 };
}

/** Insertion into a descending list of k; ties keep the lower index first (argmax convention). */
function selectTopK(x: FloatArray, base: number, classes: number, k: number, idx: Int32Array, val: Float64Array): void {
  val.fill(-Infinity);
  idx.fill(-1);
  for (let c = 0; c < classes; c++) {
    const raw = x[base + c]!;
    const v = raw !== raw ? -Infinity : raw;
    if (idx[k - 1]! >= 0 && v <= val[k - 1]!) continue;
    let p = k - 1;
    while (p > 0 && (idx[p - 1]! < 0 || v > val[p - 1]!)) {
      val[p] = val[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    val[p] = v;
    idx[p] = c;
  }
}
