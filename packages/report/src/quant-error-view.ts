import type { QuantActivationError, QuantError, QuantWeightError } from '@crossrt/core';
import { num } from './console-reporter.js';
import { textTable } from './text-table.js';

/** The quant-error part of a case: console lines (table in graph order, worst first) and the HTML view. */

export const snrText = (x: number | null | undefined): string =>
  x === undefined ? '-' : x === null ? 'inf' : x.toFixed(1);
const byWorst = <T extends { snrDb: number | null }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => (a.snrDb ?? Infinity) - (b.snrDb ?? Infinity));

export function quantJumpText(q: QuantError): string {
  const j = q.firstJump;
  if (!j) return `no jump: no tensor loses ${q.jumpRule.dropDb} dB or more against its inputs`;
  return `first jump: ${j.tensor}${j.node ? ` (${j.node}, ${j.opType})` : ' (graph input)'} SNR ${snrText(j.snrDb)} dB against ${snrText(j.inputSnrDb)} dB at its inputs (−${j.dropDb.toFixed(1)} dB)${j.weights.length ? `; its node reads ${j.weights.join(', ')}` : ''}`;
}

function activationRow(a: QuantActivationError): string[] {
  return [
    String(a.index),
    a.tensor,
    a.variantTensor === a.tensor ? '=' : a.variantTensor,
    a.match,
    a.opType ?? 'input',
    snrText(a.snrDb),
    a.cosineSimilarity.toFixed(6),
    num(a.maxAbsError),
    num(a.maxAbsErrorRelative),
    snrText(a.inputSnrDb),
    a.dropDb === null ? '-' : a.dropDb.toFixed(1),
    a.jump ? 'JUMP' : '',
  ];
}

function weightRow(w: QuantWeightError): string[] {
  return [
    w.tensor,
    w.kind,
    w.opType,
    w.dtype,
    `[${w.dims.join(',')}]`,
    w.axis === null ? 'tensor' : `axis ${w.axis}`,
    snrText(w.snrDb),
    num(w.maxAbsError),
    w.maxErrorInScales.toFixed(3),
  ];
}

const ACT_HEADER = [
  '#',
  'tensor',
  'int8 tensor',
  'matched by',
  'op',
  'snr_db',
  'cosine',
  'max_abs',
  'max_abs/peak',
  'in_snr',
  'drop',
  '',
];
const WEIGHT_HEADER = ['weight', 'kind', 'op', 'dtype', 'dims', 'scales', 'snr_db', 'max_abs', 'max_err/scale'];

/** Console lines; `top` bounds the sorted tables (the graph-order table is printed whole with `all`). */
export function quantErrorLines(q: QuantError, options: { top?: number; all?: boolean } = {}): string[] {
  const top = options.top ?? 10;
  const lines = [
    `quant-error (${q.format}): ${q.variant} vs ${q.reference} on ${q.target}, ${q.inputSets} input set(s), ${q.activations.length} tensor(s) and ${q.weights.length} weight(s) compared, ${q.runs} run(s)`,
    `output SNR ${snrText(q.outputSnrDb)} dB · ${quantJumpText(q)}`,
  ];
  if (options.all)
    lines.push(
      'tensors in graph order:',
      ...textTable(ACT_HEADER, q.activations.map(activationRow)).map((l) => `  ${l}`),
    );
  const worst = byWorst(q.activations).slice(0, top);
  if (worst.length)
    lines.push(
      `worst ${worst.length} tensor(s) by SNR:`,
      ...textTable(ACT_HEADER, worst.map(activationRow)).map((l) => `  ${l}`),
    );
  const weights = q.weights.slice(0, top);
  if (weights.length)
    lines.push(
      `worst ${weights.length} weight(s) by SNR:`,
      ...textTable(WEIGHT_HEADER, weights.map(weightRow)).map((l) => `  ${l}`),
    );
  if (q.unmatched.count > 0)
    lines.push(
      `${q.unmatched.count} fp32 tensor(s) without an int8 partner (e.g. ${q.unmatched.examples.slice(0, 4).join(', ')})`,
    );
  if (q.gate) lines.push(q.gate.passed ? 'gate: pass' : `gate: FAIL (${q.gate.failures.join('; ')})`);
  lines.push(`jump rule: ${q.jumpRule.text}`, ...q.notes.map((n) => `note: ${n}`));
  return lines;
}

export function quantErrorView(q: QuantError) {
  const act = (a: QuantActivationError) => ({
    index: a.index,
    tensor: a.tensor,
    variantTensor: a.variantTensor,
    match: a.match,
    op: a.opType ?? 'graph input',
    node: a.node ?? '',
    snr: snrText(a.snrDb),
    cosine: a.cosineSimilarity.toFixed(6),
    maxAbs: num(a.maxAbsError),
    relative: num(a.maxAbsErrorRelative),
    inputSnr: snrText(a.inputSnrDb),
    drop: a.dropDb === null ? '-' : a.dropDb.toFixed(1),
    jump: a.jump,
    first: q.firstJump?.tensor === a.tensor,
  });
  return {
    format: q.format,
    reference: q.reference,
    variant: q.variant,
    target: q.target,
    inputSets: q.inputSets,
    runs: q.runs,
    outputSnr: snrText(q.outputSnrDb),
    jump: quantJumpText(q),
    jumpTone: q.firstJump ? 'fail' : 'pass',
    rule: q.jumpRule.text,
    gate: q.gate
      ? { tone: q.gate.passed ? 'pass' : 'fail', text: q.gate.passed ? 'pass' : q.gate.failures.join('; ') }
      : undefined,
    activations: q.activations.map(act),
    worst: byWorst(q.activations).slice(0, 20).map(act),
    weights: q.weights.map((w) => ({
      ...w,
      dimsText: `[${w.dims.join(', ')}]`,
      scalesText: w.axis === null ? 'per tensor' : `${w.scales} on axis ${w.axis}`,
      snr: snrText(w.snrDb),
      maxAbs: num(w.maxAbsError),
      inScales: w.maxErrorInScales.toFixed(3),
    })),
    unmatched: q.unmatched,
    notes: q.notes,
  };
}
