#!/usr/bin/env node
/**
 * Cost of `crossrt localize` and `crossrt reduce`: target runs and wall time per scenario, and what they
 * found (culprit, nodes before/after). argv[2]: output JSON path. Needs `npm run build`.
 * Scenarios: fixtures/faults chain variants on ort-node:cpu; silero_vad_16k_op15 on ort-node:cpu vs
 * ort-web:wasm at tolerance 0; silero on ort-node:cpu vs ort-node:webgpu (the 129-channel Conv).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localizeDiscrepancy, reduceDiscrepancy } from '@crossrt/harness';
import { findTarget } from '@crossrt/runtime';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fault = (f) => join(root, 'fixtures', 'faults', f);
const silero = join(root, 'node_modules', '@jjhbw', 'silero-vad', 'weights', 'silero_vad_16k_op15.onnx');
const out = mkdtempSync(join(tmpdir(), 'crossrt-bench-reduce-'));
const t = (ids) => ids.map(findTarget);
const zero = { base: { rtol: 0, atol: 0 } };

const scenarios = [
  [
    'chain act1 (variant)',
    { model: fault('chain.onnx'), variant: fault('chain-fault-act1.onnx'), targets: t(['ort-node:cpu']) },
  ],
  [
    'chain scale3 (variant)',
    { model: fault('chain.onnx'), variant: fault('chain-fault-scale3.onnx'), targets: t(['ort-node:cpu']) },
  ],
  [
    'conv-chain cpu vs wasm, tol 0',
    { model: fault('conv-chain.onnx'), targets: t(['ort-node:cpu', 'ort-web:wasm']), policy: zero },
  ],
  [
    'silero 16k op15 cpu vs wasm, tol 0',
    { model: silero, targets: t(['ort-node:cpu', 'ort-web:wasm']), shapes: { input: [1, 512] }, policy: zero },
  ],
  [
    'silero 16k op15 cpu vs webgpu',
    {
      model: silero,
      targets: t(['ort-node:cpu', 'ort-node:webgpu']),
      shapes: { input: [1, 512] },
      output: '/model/encoder/0/reparam_conv/Conv_output_0',
    },
  ],
];

const rows = [];
for (const [name, o] of scenarios) {
  const { output, ...common } = o;
  let t0 = performance.now();
  const loc = (await localizeDiscrepancy(common)).cases[0].localization;
  const localizeMs = performance.now() - t0;
  t0 = performance.now();
  const red = (
    await reduceDiscrepancy({ ...common, outDir: join(out, String(rows.length)), ...(output ? { output } : {}) })
  ).cases[0].reduction;
  const reduceMs = performance.now() - t0;
  rows.push({
    scenario: name,
    culprit: loc.culprit?.node ?? '-',
    localizeRuns: loc.runs,
    localizeMs: Math.round(localizeMs),
    nodesBefore: red?.nodesBefore ?? '-',
    nodesAfter: red?.nodesAfter ?? '-',
    kept: red?.nodes.map((n) => n.name).join(' ') ?? '-',
    reduceRuns: red?.runs ?? '-',
    reduceMs: Math.round(reduceMs),
  });
}
console.table(rows);
if (process.argv[2]) writeFileSync(process.argv[2], `${JSON.stringify({ rows }, null, 2)}\n`);
