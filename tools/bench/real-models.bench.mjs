#!/usr/bin/env node
/**
 * crossrt conformance on real model sizes (issue 16) against the raw runtime floor, measured in this one
 * run, on a mixed set made on first use into $CROSSRT_REAL_MODELS or /tmp/crossrt-real-models: the
 * torchvision set of tools/bench/make-real-model-set.py (8 CNNs exported by torch.onnx, 14-531 MB,
 * 1.29 GB; expected outputs PyTorch's) plus the npm devDependency models of npm-model-cases.mjs
 * (PP-OCRv4 det/rec, PP-OCR cls, silero VAD x2; 18 MB; expected outputs onnxruntime-node's). A case
 * that crossrt judges a mismatch (exit 1) still counts as a timed run; the report says which.
 *   floor    one fresh Node process per target doing, for every model, InferenceSession.create + one run
 *            of the test input with the runtime API (ort-node from the path, ort-web from the bytes)
 *   crossrt  `crossrt conformance <set> --targets <t>` wall, process start to exit, and the CLI process's
 *            peak RSS (VmHWM), against the bound 150 MB + 1.5 × the largest model
 * Per target and for both targets together (against the slower target's floor), each crossrt run with an
 * empty hash cache (a first run on these files); then ort-node:cpu again with the hash cache of the run
 * before (a later run on the same files).
 * Targets: $CROSSRT_BENCH_TARGETS (default ort-node:cpu,ort-web:wasm). Usage: node real-models.bench.mjs <out.json>
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNpmModelCases } from './npm-model-cases.mjs';

const dir = process.env.CROSSRT_REAL_MODELS ?? '/tmp/crossrt-real-models';
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'packages', 'cli', 'dist', 'main.js');
const targets = (process.env.CROSSRT_BENCH_TARGETS ?? 'ort-node:cpu,ort-web:wasm').split(',');
if (!existsSync(dir) || readdirSync(dir).length < 8) {
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  console.log(`making the real-model set in ${dir} (torch.onnx export, ~2 min)`);
  if (spawnSync(py, [join(import.meta.dirname, 'make-real-model-set.py'), dir], { stdio: 'inherit' }).status !== 0) {
    console.log('real-models: no torch/torchvision to make the model set; skipped');
    process.exit(0);
  }
}
await addNpmModelCases(dir);
const cases = readdirSync(dir)
  .filter((d) => existsSync(join(dir, d, 'model.onnx')))
  .sort()
  .map((d) => join(dir, d));
const sizes = cases.map((c) => statSync(join(c, 'model.onnx')).size);
const largest = Math.max(...sizes);
for (const c of cases) readFileSync(join(c, 'model.onnx')); // page cache warm for every measurement alike

function floorMs(target) {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { decodeTensorFile } from '@crossrt/model';
    const web = ${JSON.stringify(target === 'ort-web:wasm')};
    const ort = await import(web ? 'onnxruntime-web' : 'onnxruntime-node');
    const cases = ${JSON.stringify(cases)};
    const inputs = cases.map((c) => readdirSync(c + '/test_data_set_0').filter((f) => /^input_\\d+\\.pb$/.test(f)).sort()
      .map((f) => decodeTensorFile(new Uint8Array(readFileSync(c + '/test_data_set_0/' + f)), f)));
    const t0 = performance.now();
    for (const [i, c] of cases.entries()) {
      const s = await ort.InferenceSession.create(web ? new Uint8Array(readFileSync(c + '/model.onnx')) : c + '/model.onnx', { executionProviders: [web ? 'wasm' : 'cpu'] });
      await s.run(Object.fromEntries(inputs[i].map(({ name, tensor: x }) => [name, new ort.Tensor(x.dtype, x.data, x.dims)])));
      await s.release();
    }
    process.stdout.write(String(performance.now() - t0));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
  });
  if (r.status !== 0) throw new Error(`floor ${target}: ${r.stderr}`);
  return Number(r.stdout);
}

/** Wall and peak RSS of one CLI process (polling /proc/<pid>/status VmHWM). */
function crossrt(targetList, sharedCacheDir) {
  const cacheDir = sharedCacheDir ?? mkdtempSync(join(tmpdir(), 'crossrt-hash-cache-'));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'conformance', dir, '--targets', targetList, '-q'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CROSSRT_CACHE_DIR: cacheDir },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let peak = 0;
    const poll = setInterval(() => {
      try {
        peak = Math.max(
          peak,
          Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
        );
      } catch {
        /* exited */
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (!sharedCacheDir) rmSync(cacheDir, { recursive: true, force: true });
      // 1 = a discrepancy found (e.g. ort-web vs onnxruntime-node's outputs on PP-OCR): still a complete run.
      if (code !== 0 && code !== 1)
        reject(new Error(`crossrt conformance --targets ${targetList} exited ${code}: ${out}`));
      else resolve({ wallMs: performance.now() - t0, peakRss: peak, exitCode: code });
    });
  });
}

const perTarget = {};
for (const t of targets) {
  const floor = floorMs(t);
  const run = await crossrt(t);
  perTarget[t] = {
    floorMs: floor,
    crossrtMs: run.wallMs,
    ratio: run.wallMs / floor,
    cliPeakRss: run.peakRss,
    exitCode: run.exitCode,
    loadAverage: loadavg()[0],
  };
}
const both = targets.length > 1 ? await crossrt(targets.join(',')) : undefined;
const cacheDir = mkdtempSync(join(tmpdir(), 'crossrt-hash-cache-'));
await crossrt(targets[0], cacheDir);
const later = await crossrt(targets[0], cacheDir);
rmSync(cacheDir, { recursive: true, force: true });
perTarget[targets[0]].laterRunMs = later.wallMs;
perTarget[targets[0]].laterRunRatio = later.wallMs / perTarget[targets[0]].floorMs;
const slowestFloor = Math.max(...targets.map((t) => perTarget[t].floorMs));
const rssBound = 150 * 2 ** 20 + 1.5 * largest;
const result = {
  modelSet: `torchvision CNNs via torch.onnx (tools/bench/make-real-model-set.py) + PP-OCR and silero VAD from npm (npm-model-cases.mjs): ${cases.length} models, ${(sizes.reduce((a, b) => a + b, 0) / 1e9).toFixed(2)} GB, largest ${(largest / 1e6).toFixed(0)} MB`,
  perTarget,
  goalRatio: 1.1,
  ...(both
    ? {
        bothTargets: {
          crossrtMs: both.wallMs,
          slowestFloorMs: slowestFloor,
          ratio: both.wallMs / slowestFloor,
          cliPeakRss: both.peakRss,
        },
      }
    : {}),
  cliRssBound: rssBound,
};
const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MB`;
console.log(result.modelSet);
for (const [t, r] of Object.entries(perTarget))
  console.log(
    `${t.padEnd(14)} floor ${(r.floorMs / 1000).toFixed(2)} s  crossrt ${(r.crossrtMs / 1000).toFixed(2)} s  ratio ${r.ratio.toFixed(2)} (goal ≤ 1.10)  CLI peak RSS ${mb(r.cliPeakRss)} (bound ${mb(rssBound)})  exit ${r.exitCode}  load avg ${r.loadAverage.toFixed(1)}`,
  );
console.log(
  `${targets[0].padEnd(14)} later run on the same files (hash cache): crossrt ${(later.wallMs / 1000).toFixed(2)} s  ratio ${(later.wallMs / perTarget[targets[0]].floorMs).toFixed(2)}`,
);
if (result.bothTargets)
  console.log(
    `both targets   slowest floor ${(slowestFloor / 1000).toFixed(2)} s  crossrt ${(both.wallMs / 1000).toFixed(2)} s  ratio ${result.bothTargets.ratio.toFixed(2)}  CLI peak RSS ${mb(both.peakRss)}`,
  );
if (process.argv[2]) writeFileSync(process.argv[2], `${JSON.stringify(result, null, 2)}\n`);
