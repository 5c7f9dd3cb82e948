#!/usr/bin/env node
/**
 * Reporter cost on a large suite: a synthetic report of 5,000 cases × 3 targets (one reference) × 2
 * outputs, each comparison with metrics and a log2 histogram, 5% mismatches and 1% load errors, rendered
 * to every format. Goal: each format renders in under 3 s of CPU time, and the Markdown stays under
 * GitHub's 65,536-character comment limit. Usage: node report-render.bench.mjs [out.json]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { ReportSchema } from '@crossrt/core';
import { renderReport, REPORT_FORMATS } from '@crossrt/report';

const CASES = 5000;
const TARGETS = ['ort-node:cpu', 'ort-web:wasm', 'ort-web:webgpu@chromium'];
const tolerance = { rtol: 1e-5, atol: 1e-5, source: 'default' };

function outcome(target, status) {
  return status === 'ok'
    ? {
        target,
        status,
        timings: { loadMs: 12, runMs: 3, wallMs: 40 },
        device: { kind: 'cpu', description: 'bench', runtime: 'bench', runtimeVersion: '1', details: {} },
        placement: { source: 'verbose-log', providers: [{ ep: 'CPUExecutionProvider', nodes: 40 }], fallbackNodes: [] },
        outputs: [
          { name: 'y', dtype: 'float32', dims: [1, 1000] },
          { name: 'z', dtype: 'float32', dims: [1, 10] },
        ],
        logTail: [],
      }
    : {
        target,
        status,
        error: { message: 'Could not find an implementation for SomeOp(19) node with name n_7' },
        outputs: [],
        logTail: Array.from({ length: 40 }, (_, i) => `verbose line ${i}`),
      };
}

function comparison(output, target, bad, i) {
  const maxAbsError = bad ? 0.03 + (i % 7) * 0.01 : (i % 13) * 1e-7;
  return {
    output,
    target,
    reference: TARGETS[0],
    verdict: bad ? 'mismatch' : 'pass',
    reason: bad ? '12/1000 element(s) fail' : 'all within tolerance',
    tolerance,
    metrics: {
      elements: 1000,
      maxAbsError,
      meanAbsError: maxAbsError / 3,
      maxRelError: maxAbsError * 5,
      rmse: maxAbsError / 2,
      cosineSimilarity: 0.9999,
      snrDb: 80,
      allcloseMismatches: bad ? 12 : 0,
      mismatchFraction: bad ? 0.012 : 0,
      nanInfMismatches: 0,
      worstIndex: 17,
      worstActual: 0.5,
      worstReference: 0.5 - maxAbsError,
      exact: false,
      histogram: {
        zero: 400,
        bins: [{ log2: -24, count: 300 }, { log2: -22, count: 288 }, ...(bad ? [{ log2: -5, count: 12 }] : [])],
      },
    },
    dtype: { actual: 'float32', reference: 'float32' },
    dims: { actual: [1, 1000], reference: [1, 1000] },
  };
}

const cases = Array.from({ length: CASES }, (_, i) => {
  const loadError = i % 100 === 0;
  const bad = i % 20 === 1;
  const outcomes = [
    outcome(TARGETS[0], 'ok'),
    outcome(TARGETS[1], 'ok'),
    outcome(TARGETS[2], loadError ? 'load-error' : 'ok'),
  ];
  const comparisons = ['y', 'z'].flatMap((o) => [
    comparison(o, TARGETS[1], false, i),
    ...(loadError ? [] : [comparison(o, TARGETS[2], bad && o === 'y', i)]),
  ]);
  return {
    id: `models/zoo/model_${String(i).padStart(5, '0')}.onnx`,
    model: {
      path: `models/zoo/model_${i}.onnx`,
      sha256: 'ab'.repeat(32),
      bytes: 1,
      irVersion: 8,
      opsets: { 'ai.onnx': 17 },
      producer: 'bench',
      nodes: 40,
    },
    inputs: [],
    dims: [],
    outcomes,
    comparisons,
    verdict: loadError || bad ? 'fail' : 'pass',
  };
});
const failed = cases.filter((c) => c.verdict === 'fail').length;
const report = ReportSchema.parse({
  schema: 'crossrt.report',
  version: 1,
  tool: { name: 'crossrt', version: '0.1.0' },
  command: 'suite',
  createdAt: new Date(0).toISOString(),
  environment: { node: process.version, platform: process.platform, arch: process.arch, cpus: 1 },
  settings: { targets: TARGETS, reference: TARGETS[0], seed: 0, tolerance, defaultDim: 1 },
  cases,
  totals: {
    cases: CASES,
    passed: CASES - failed,
    failed,
    errored: 0,
    skipped: 0,
    convertErrors: 0,
    verdicts: {},
    outcomes: {},
  },
});

const rows = [];
for (const format of REPORT_FORMATS) {
  renderReport(report, format); // warm-up: templates compiled, JIT primed
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const text = renderReport(report, format);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  rows.push({ format, wallMs: Math.round(ms), cpuMs: Math.round((c.user + c.system) / 1000), chars: text.length });
}

const GOAL_CPU_MS = 3000;
console.log(
  `${CASES} cases × ${TARGETS.length} targets × 2 outputs (${failed} failing); load average ${loadavg()[0].toFixed(1)}`,
);
console.log(['format'.padEnd(10), 'wall ms'.padStart(8), 'cpu ms'.padStart(8), 'chars'.padStart(12)].join('  '));
for (const r of rows)
  console.log(
    [r.format.padEnd(10), String(r.wallMs).padStart(8), String(r.cpuMs).padStart(8), String(r.chars).padStart(12)].join(
      '  ',
    ),
  );
const markdown = rows.find((r) => r.format === 'markdown');
const ok = rows.every((r) => r.cpuMs < GOAL_CPU_MS) && markdown.chars <= 65536;
console.log(`goal: every format < ${GOAL_CPU_MS} ms CPU, Markdown <= 65536 chars: ${ok ? 'met' : 'NOT met'}`);
const out = process.argv[2];
if (out)
  writeFileSync(
    out,
    `${JSON.stringify({ cases: CASES, targets: TARGETS.length, goalCpuMs: GOAL_CPU_MS, goalMet: ok, rows }, null, 2)}\n`,
  );
process.exitCode = ok ? 0 : 1;
