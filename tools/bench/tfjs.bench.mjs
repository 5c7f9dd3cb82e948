#!/usr/bin/env node
/**
 * TF.js targets on real graph models shipped in npm @vladmandic/human 3.3.6 (models/*.json + .bin):
 * per target and model, load time, first-run and median run time (in the host, around execute + data
 * download), and the largest absolute difference from tfjs:cpu on the same input. The input is a fixed
 * sin pattern in [0, 1), so every target sees identical bytes.
 * Usage: node tfjs.bench.mjs <out.json>
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTfjsModelArtifacts } from '@crossrt/model';
import { findTarget, TargetHost } from '@crossrt/runtime';

// The package's exports map hides models/; it is a devDependency of @crossrt/runtime-tfjs, hoisted to the root.
const MODEL_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'node_modules',
  '@vladmandic',
  'human',
  'models',
);
const MODELS = ['antispoof', 'emotion', 'facemesh', 'blazeface'];
const TARGETS = ['tfjs:cpu', 'tfjs:wasm', 'tfjs-node:tensorflow', 'tfjs:webgl@chromium', 'tfjs:webgpu@chromium'];
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function feedsFor(path) {
  const sig = (await readTfjsModelArtifacts(path)).signature;
  return Object.fromEntries(
    sig.inputs.map((i) => {
      const dims = i.dims.map((d) => (typeof d === 'number' ? d : 1));
      const n = dims.reduce((a, b) => a * b, 1);
      return [
        i.name,
        { dtype: 'float32', dims, data: Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.37) * 0.5 + 0.5) },
      ];
    }),
  );
}

const rows = [];
const reference = new Map();
for (const targetId of TARGETS) {
  const host = new TargetHost(findTarget(targetId), { timeoutMs: 300_000 });
  const probe = await host.probe();
  if (!probe.available) {
    rows.push({ target: targetId, unavailable: probe.reason });
    await host.close();
    continue;
  }
  for (const name of MODELS) {
    const path = join(MODEL_DIR, `${name}.json`);
    const feeds = await feedsFor(path);
    const { reply } = await host.load(path);
    const times = [];
    let outputs;
    for (let i = 0; i < RUNS; i++) {
      const r = await host.run(feeds);
      times.push(r.runMs);
      outputs = r.outputs;
    }
    if (targetId === 'tfjs:cpu') reference.set(name, outputs);
    let maxAbs = 0;
    for (const [o, t] of Object.entries(outputs)) {
      const ref = reference.get(name)?.[o];
      if (!ref) continue;
      for (let k = 0; k < t.data.length; k++) maxAbs = Math.max(maxAbs, Math.abs(t.data[k] - ref.data[k]));
    }
    rows.push({
      target: targetId,
      model: name,
      loadMs: reply.loadMs,
      firstRunMs: times[0],
      medianRunMs: median(times.slice(1)),
      maxAbsVsCpu: maxAbs,
    });
  }
  await host.close();
}

const fmt = (x) =>
  x === undefined
    ? ''
    : typeof x === 'number'
      ? Math.abs(x) < 0.01 && x !== 0
        ? x.toExponential(2)
        : x.toFixed(1)
      : String(x);
const cols = ['target', 'model', 'loadMs', 'firstRunMs', 'medianRunMs', 'maxAbsVsCpu'];
const table = [cols, ...rows.filter((r) => !r.unavailable).map((r) => cols.map((c) => fmt(r[c])))];
const widths = cols.map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table)
  console.log(
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
for (const r of rows.filter((x) => x.unavailable)) console.log(`${r.target}: unavailable: ${r.unavailable}`);
const out = process.argv[2];
if (out) writeFileSync(out, `${JSON.stringify({ bench: 'tfjs', runs: RUNS, rows }, null, 2)}\n`);
