import type { HostTensor, RepeatRecord, Tolerance } from '@crossrt/core';
import { numericView } from '@crossrt/core';
import type { TargetExecution } from '../execution/target-outcome.js';

/**
 * `--repeat N`: every input set is fed N times in a row to the one session a target loads, so the
 * runs differ only by what the engine does differently from run to run.
 */
export function repeatFeedSets<T>(sets: readonly T[], repeat: number): T[] {
  return sets.flatMap((s) => Array.from({ length: Math.max(1, repeat) }, () => s));
}

/** The first run of each set as the target's outputs, and how much the later runs moved from it. */
export function splitRepeats(exec: TargetExecution, setNames: readonly string[], repeat: number): TargetExecution {
  if (repeat < 2 || exec.outcome.status !== 'ok') return exec;
  const firsts = setNames.map((_, k) => exec.outputs[k * repeat]!).filter(Boolean);
  const outputs: RepeatRecord['outputs'] = [];
  setNames.forEach((set, k) => {
    const first = exec.outputs[k * repeat];
    if (!first) return;
    for (const [output, t0] of first) {
      let maxAbsDiff = 0;
      let differingRuns = 0;
      for (let r = 1; r < repeat; r++) {
        const d = maxAbsDifference(t0, exec.outputs[k * repeat + r]?.get(output));
        if (d > 0) differingRuns++;
        maxAbsDiff = Math.max(maxAbsDiff, d);
      }
      outputs.push({ output, ...(setNames.length > 1 ? { inputSet: set } : {}), maxAbsDiff, differingRuns });
    }
  });
  const repeats: RepeatRecord = { runs: repeat, nondeterministic: outputs.some((o) => o.differingRuns > 0), outputs };
  return { outputs: firsts, outcome: { ...exec.outcome, repeats } };
}

/** Largest |a − b| (Infinity when shapes or NaN positions differ, so such a run counts as differing). */
function maxAbsDifference(a: HostTensor, b: HostTensor | undefined): number {
  if (!b || a.dtype !== b.dtype || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i]))
    return Infinity;
  if (a.dtype === 'string') return (a.data as string[]).some((x, i) => x !== (b.data as string[])[i]) ? Infinity : 0;
  const x = numericView(a);
  const y = numericView(b);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = Number(x[i]);
    const yi = Number(y[i]);
    if (xi === yi || (Number.isNaN(xi) && Number.isNaN(yi))) continue;
    const d = Math.abs(xi - yi);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/** The jitter one target showed on one output (and input set), 0 when it was not repeated. */
export function jitterOf(repeats: RepeatRecord | undefined, output: string, inputSet?: string): number {
  return repeats?.outputs.find((o) => o.output === output && o.inputSet === inputSet)?.maxAbsDiff ?? 0;
}

/** `--noise-floor K`: atol is raised to K × the reference target's own jitter on that output. */
export function noiseFloorTolerance(t: Tolerance, factor: number, referenceJitter: number): Tolerance {
  const floor = factor * referenceJitter;
  if (!(floor > t.atol) || !Number.isFinite(floor)) return t;
  return {
    ...t,
    atol: floor,
    rules: [...(t.rules ?? []), `noise-floor ${factor}× reference jitter ${referenceJitter.toExponential(2)}`],
  };
}

/** What a failing comparison says about the targets' own noise, appended to its reason. */
export function jitterNote(maxAbsError: number | undefined, referenceJitter: number, actualJitter: number): string {
  const noise = Math.max(referenceJitter, actualJitter);
  if (maxAbsError === undefined) return '';
  if (noise === 0) return '; both targets were bit-identical from run to run, so this is not run-to-run noise';
  return maxAbsError > noise
    ? `; exceeds the targets' own run-to-run jitter (reference ${referenceJitter.toExponential(2)}, this target ${actualJitter.toExponential(2)})`
    : `; within the targets' own run-to-run jitter (reference ${referenceJitter.toExponential(2)}, this target ${actualJitter.toExponential(2)}): may be noise`;
}
