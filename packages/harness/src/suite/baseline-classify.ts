import type { BaselineDelta, CaseResult, HostTensor, Tolerance } from '@crossrt/core';
import { compareOutput } from '@crossrt/compare';
import { inputSha256, targetPassed, type BaselineStore } from './baseline-store.js';

/**
 * Classify one finished case against the goldens, per target (and per output where outputs compare):
 *   new          no golden for (case, target), or the inputs differ from the golden's
 *   regression   passed before and fails now, or an output moved beyond tolerance from its golden
 *   improvement  failed before and passes now
 *   drift        outputs moved, but within tolerance (metric deltas reported)
 *   unchanged    outputs bit-identical (or the target still fails the same way)
 */
export function classifyAgainstBaseline(
  result: CaseResult,
  outputs: ReadonlyMap<string, ReadonlyMap<string, HostTensor>>,
  store: BaselineStore,
  tolerance: Tolerance,
): BaselineDelta[] {
  const deltas: BaselineDelta[] = [];
  for (const outcome of result.outcomes) {
    const target = outcome.target;
    const golden = store.get(result.id, target);
    const nowPassed = targetPassed(result, target);
    if (!golden) {
      deltas.push({
        target,
        classification: 'new',
        reason: `no golden for this case on ${target}${nowPassed ? '' : `; fails now (${outcome.status})`}`,
      });
      continue;
    }
    const current = outcome.device?.runtimeVersion ?? 'unknown';
    const notes = [
      golden.modelSha256 !== result.model?.sha256 ? 'model file changed since the golden' : '',
      golden.runtimeVersion !== current ? `runtime ${golden.runtimeVersion} → ${current}` : '',
    ].filter(Boolean);
    const noted = (s: string) => (notes.length ? `${s} (${notes.join('; ')})` : s);
    const versions =
      golden.runtimeVersion !== current ? { runtimeVersion: { baseline: golden.runtimeVersion, current } } : {};
    if (golden.inputSha256 !== inputSha256(result)) {
      deltas.push({
        target,
        classification: 'new',
        reason: "inputs differ from the golden's (seed, shapes or plan changed): not comparable; re-save the baseline",
        ...versions,
      });
      continue;
    }
    if (golden.passed && !nowPassed) {
      deltas.push({
        target,
        classification: 'regression',
        reason: noted(`passed when the golden was saved, fails now (${outcome.status})`),
        ...versions,
      });
      continue;
    }
    if (!golden.passed && nowPassed) {
      deltas.push({
        target,
        classification: 'improvement',
        reason: noted(`failed when the golden was saved (${golden.status}), passes now`),
        ...versions,
      });
      continue;
    }
    const tensors = outputs.get(target);
    if (outcome.status !== 'ok' || !tensors) {
      deltas.push({
        target,
        classification: 'unchanged',
        reason: noted(`still fails (${outcome.status})`),
        ...versions,
      });
      continue;
    }
    for (const o of golden.outputs) {
      const actual = tensors.get(o.name);
      const cmp = compareOutput({
        output: o.name,
        target,
        reference: 'golden',
        actual,
        expected: store.readOutput(golden, o.name),
        tolerance,
      });
      const m = cmp.metrics;
      const metrics = m
        ? { maxAbsError: m.maxAbsError, maxRelError: m.maxRelError, mismatches: m.allcloseMismatches }
        : {};
      if (cmp.verdict !== 'pass') {
        deltas.push({
          target,
          output: o.name,
          classification: 'regression',
          reason: noted(`moved beyond tolerance from its golden: ${cmp.reason}`),
          ...metrics,
          ...versions,
        });
      } else if (m && m.maxAbsError === 0 && m.nanInfMismatches === 0) {
        deltas.push({
          target,
          output: o.name,
          classification: 'unchanged',
          reason: noted('identical to its golden'),
          ...metrics,
          ...versions,
        });
      } else {
        deltas.push({
          target,
          output: o.name,
          classification: 'drift',
          reason: noted(`within tolerance of its golden (max abs ${m?.maxAbsError.toExponential(2)})`),
          ...metrics,
          ...versions,
        });
      }
    }
  }
  return deltas;
}
