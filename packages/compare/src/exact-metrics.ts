import type { Metrics } from '@crossrt/core';
import { REL_EPSILON } from './float-metrics.js';

export type IntegerArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** Integers and bool: any difference is a mismatch; error sizes are reported to show how far off. */
export function exactNumberMetrics(a: IntegerArray, r: IntegerArray): Metrics {
  const n = a.length;
  let maxAbs = 0,
    sumAbs = 0,
    maxRel = 0,
    mismatches = 0,
    worst = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i]! - r[i]!);
    if (d === 0) continue;
    mismatches++;
    sumAbs += d;
    if (d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
    const rel = d / Math.max(Math.abs(r[i]!), REL_EPSILON);
    if (rel > maxRel) maxRel = rel;
  }
  return exactResult(n, maxAbs, sumAbs, maxRel, mismatches, worst, worst >= 0 ? [a[worst]!, r[worst]!] : undefined);
}

/** int64/uint64 compare as bigints (exact); sizes of differences go through Number (approximate beyond 2^53). */
export function exactBigIntMetrics(a: BigInt64Array | BigUint64Array, r: BigInt64Array | BigUint64Array): Metrics {
  const n = a.length;
  let maxAbs = 0,
    sumAbs = 0,
    maxRel = 0,
    mismatches = 0,
    worst = -1;
  for (let i = 0; i < n; i++) {
    if (a[i] === r[i]) continue;
    const d = Math.abs(Number(a[i]! - r[i]!));
    mismatches++;
    sumAbs += d;
    if (worst < 0 || d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(Number(r[i]!)), REL_EPSILON));
  }
  return exactResult(
    n,
    maxAbs,
    sumAbs,
    maxRel,
    mismatches,
    worst,
    worst >= 0 ? [String(a[worst]), String(r[worst])] : undefined,
  );
}

export function exactStringMetrics(a: readonly string[], r: readonly string[]): Metrics {
  let mismatches = 0,
    worst = -1;
  for (let i = 0; i < a.length; i++)
    if (a[i] !== r[i]) {
      mismatches++;
      if (worst < 0) worst = i;
    }
  return exactResult(a.length, 0, 0, 0, mismatches, worst, worst >= 0 ? [a[worst]!, r[worst]!] : undefined);
}

function exactResult(
  n: number,
  maxAbs: number,
  sumAbs: number,
  maxRel: number,
  mismatches: number,
  worst: number,
  pair: [number | string, number | string] | undefined,
): Metrics {
  return {
    elements: n,
    maxAbsError: maxAbs,
    meanAbsError: n ? sumAbs / n : 0,
    maxRelError: maxRel,
    allcloseMismatches: mismatches,
    mismatchFraction: n ? mismatches / n : 0,
    nanInfMismatches: 0,
    worstIndex: worst,
    exact: true,
    ...(pair ? { worstActual: pair[0], worstReference: pair[1] } : {}),
  };
}
