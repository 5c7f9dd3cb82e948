#!/usr/bin/env node
/**
 * `crossrt conformance` over the whole ONNX node suite on ort-node:cpu and ort-web:wasm, against the
 * single-core raw floor: one process per runtime doing only InferenceSession.create + run for every
 * case (inputs decoded beforehand, not timed), the two timed one after the other. Goal: crossrt wall
 * (whole CLI process) <= 0.65x the floor on 2 cores. crossrt runs the two targets side by side (one
 * host process each), batches cases per round trip and keeps --jobs cases in flight.
 * The floor is measured twice: with Node's defaults (what a user of the raw API gets) and with the V8
 * flags crossrt gives its ort-web host (--liftoff-only, see WASM_HOST_FLAGS), so the harness's own
 * overhead is visible apart from the engine setting.
 * Usage: node conformance-parallel.bench.mjs <out.json>
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WASM_HOST_FLAGS } from '@crossrt/runtime';

const SUITE = '/usr/share/libonnx-testdata/data/node';
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'packages', 'cli', 'dist', 'main.js');

function floor(runtime, nodeFlags = []) {
  const script = `
    import { findBackendTestCases, loadBackendTestCase } from '@crossrt/model';
    import { readFileSync } from 'node:fs';
    const ort = await import(${JSON.stringify(runtime === 'node' ? 'onnxruntime-node' : 'onnxruntime-web')});
    const cases = [];
    for (const d of await findBackendTestCases([${JSON.stringify(SUITE)}])) {
      try { const tc = await loadBackendTestCase(d); if (!tc.nonTensorIo) cases.push(tc); } catch {}
    }
    const t0 = performance.now();
    let ok = 0;
    for (const tc of cases) {
      try {
        const src = ${runtime === 'node' ? 'tc.model.path' : 'new Uint8Array(readFileSync(tc.model.path))'};
        const s = await ort.InferenceSession.create(src, { executionProviders: [${JSON.stringify(runtime === 'node' ? 'cpu' : 'wasm')}], logSeverityLevel: 4 });
        for (const ds of tc.dataSets) {
          const feeds = {};
          for (const [n, t] of ds.inputs) feeds[n] = new ort.Tensor(t.dtype, t.data, t.dims);
          await s.run(feeds);
        }
        await s.release();
        ok++;
      } catch {}
    }
    process.stdout.write(JSON.stringify({ cases: cases.length, ok, ms: performance.now() - t0 }));`;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`floor ${runtime} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout);
}

function crossrt(label, flags) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'conformance', SUITE, '-t', 'ort-node:cpu,ort-web:wasm', '-q', ...flags, '--json', join(root, 'out', 'bench', `conformance-${label}.json`)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`crossrt conformance failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { ms, summary: r.stdout.trim().split('\n').slice(-3).join(' | ') };
}

const cores = availableParallelism();
const node = floor('node');
const web = floor('web');
const webLiftoff = floor('web', WASM_HOST_FLAGS);
const floorMs = node.ms + web.ms;
const floorSameFlagsMs = node.ms + webLiftoff.ms;
const serial = crossrt('serial', ['--jobs', '1', '--batch', '1']);
const parallel = crossrt('default', []);
const result = {
  suite: SUITE, cores,
  floor: { 'ort-node:cpu': node, 'ort-web:wasm': web, totalMs: floorMs },
  floorSameFlags: { 'ort-web:wasm': { ...webLiftoff, nodeFlags: WASM_HOST_FLAGS }, totalMs: floorSameFlagsMs },
  crossrtSerialMs: serial.ms, crossrtMs: parallel.ms,
  ratioSerial: serial.ms / floorMs, ratio: parallel.ms / floorMs, ratioSameFlags: parallel.ms / floorSameFlagsMs, goal: 0.65,
  summary: parallel.summary,
};
console.log(`raw floor, Node defaults (create+run only): ort-node:cpu ${node.ms.toFixed(0)} ms (${node.ok}/${node.cases} ran), ort-web:wasm ${web.ms.toFixed(0)} ms (${web.ok}/${web.cases} ran) = ${floorMs.toFixed(0)} ms`);
console.log(`raw floor, ort-web with crossrt's host flags (${WASM_HOST_FLAGS.join(' ') || 'none'}): ort-web:wasm ${webLiftoff.ms.toFixed(0)} ms = ${floorSameFlagsMs.toFixed(0)} ms`);
console.log(`crossrt conformance --jobs 1 --batch 1:  ${serial.ms.toFixed(0)} ms  ratio ${result.ratioSerial.toFixed(2)}x`);
console.log(`crossrt conformance (defaults):  ${parallel.ms.toFixed(0)} ms  ratio ${result.ratio.toFixed(2)}x (goal <= 0.65x); vs the same-flags floor ${result.ratioSameFlags.toFixed(2)}x`);
writeFileSync(process.argv[2] ?? 'conformance-parallel.json', `${JSON.stringify(result, null, 2)}\n`);
