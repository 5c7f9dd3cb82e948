#!/usr/bin/env node
/**
 * Reading model files in the harness process (issue 16), on the real-model set of
 * tools/bench/make-real-model-set.py (8 torchvision CNNs exported by torch.onnx, ~1.29 GB; made on first
 * use into $CROSSRT_REAL_MODELS or /tmp/crossrt-real-models). Each way runs in a fresh process over the
 * whole set, files already in the page cache, every decoded model kept alive (as cases in flight are):
 *   read       readModelFile(path): the whole file in memory, SHA-256 over it, full decode (the old way)
 *   reference  readModelFile(path, { weights: 'reference' }): graph decoded without the weight payloads,
 *              SHA-256 streamed on a worker thread
 *   reference, again in the same process: the per-file hash cache (path + size + mtime + ctime + inode)
 *   reference, a later process: the on-disk hash cache (a temp CROSSRT_CACHE_DIR, filled by the process before)
 * The cold ways run with CROSSRT_HASH_CACHE=0.
 * Reported: wall, main-thread busy time (event-loop utilization), CPU of the process (all threads), and
 * RSS growth while all models are held. Ratios are reference / read from this one run.
 * Usage: node model-read.bench.mjs <out.json>
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = process.env.CROSSRT_REAL_MODELS ?? '/tmp/crossrt-real-models';
const root = join(import.meta.dirname, '..', '..');
if (!existsSync(dir) || readdirSync(dir).length < 8) {
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  console.log(`making the real-model set in ${dir} (torch.onnx export, ~2 min)`);
  const r = spawnSync(py, [join(import.meta.dirname, 'make-real-model-set.py'), dir], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log('model-read: no torch/torchvision to make the model set; skipped');
    process.exit(0);
  }
}
const files = readdirSync(dir)
  .filter((d) => existsSync(join(dir, d, 'model.onnx')))
  .sort()
  .map((d) => join(dir, d, 'model.onnx'));
const totalBytes = files.reduce((n, f) => n + statSync(f).size, 0);
for (const f of files) readFileSync(f); // page cache warm for every way alike

function measure(mode, repeat = 1, env = { CROSSRT_HASH_CACHE: '0' }) {
  const script = `
    import { readModelFile } from '@crossrt/model';
    const files = ${JSON.stringify(files)};
    const held = [];
    const out = [];
    for (let r = 0; r < ${repeat}; r++) {
      globalThis.gc?.();
      const rss0 = process.memoryUsage().rss, cpu0 = process.cpuUsage(), elu0 = performance.eventLoopUtilization(), t0 = performance.now();
      for (const f of files) held.push(await readModelFile(f, ${mode === 'read' ? '{}' : "{ weights: 'reference' }"}));
      const cpu = process.cpuUsage(cpu0), elu = performance.eventLoopUtilization(elu0);
      out.push({ wallMs: performance.now() - t0, mainBusyMs: elu.active, cpuMs: (cpu.user + cpu.system) / 1000, rssGrowth: process.memoryUsage().rss - rss0 });
    }
    process.stdout.write(JSON.stringify({ runs: out, sha: held.slice(0, ${files.length}).map((m) => m.sha256) }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`${mode}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const read = measure('read');
const reference = measure('reference', 2);
const cacheDir = mkdtempSync(join(tmpdir(), 'crossrt-hash-cache-'));
measure('reference', 1, { CROSSRT_CACHE_DIR: cacheDir });
const later = measure('reference', 1, { CROSSRT_CACHE_DIR: cacheDir });
rmSync(cacheDir, { recursive: true, force: true });
if (
  JSON.stringify(read.sha) !== JSON.stringify(reference.sha) ||
  JSON.stringify(read.sha) !== JSON.stringify(later.sha)
)
  throw new Error('the ways disagree on a sha256');
const [cold, warm] = reference.runs;
const onDisk = later.runs[0];
const old = read.runs[0];
const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;
const result = {
  modelSet: `torchvision CNNs via torch.onnx (tools/bench/make-real-model-set.py): ${files.length} models, ${(totalBytes / 1e9).toFixed(2)} GB`,
  read: old,
  reference: cold,
  referenceCached: warm,
  referenceDiskCached: onDisk,
  ratios: {
    wall: ratio(cold.wallMs, old.wallMs),
    mainBusy: ratio(cold.mainBusyMs, old.mainBusyMs),
    cpu: ratio(cold.cpuMs, old.cpuMs),
    rssGrowth: ratio(cold.rssGrowth, old.rssGrowth),
    cachedWall: ratio(warm.wallMs, old.wallMs),
    cachedMainBusy: ratio(warm.mainBusyMs, old.mainBusyMs),
    diskCachedWall: ratio(onDisk.wallMs, old.wallMs),
  },
};
const row = (name, r) =>
  `${name.padEnd(20)} wall ${r.wallMs.toFixed(0).padStart(6)} ms  main busy ${r.mainBusyMs.toFixed(0).padStart(6)} ms  cpu ${r.cpuMs.toFixed(0).padStart(6)} ms  rss +${(r.rssGrowth / 2 ** 20).toFixed(0).padStart(5)} MB`;
console.log(result.modelSet);
console.log(row('read (old)', old));
console.log(row('reference', cold));
console.log(row('reference, cached', warm));
console.log(row('reference, next run', onDisk));
console.log(
  `ratios reference/read: wall ${result.ratios.wall}, main busy ${result.ratios.mainBusy}, cpu ${result.ratios.cpu}, rss ${result.ratios.rssGrowth}; cached: wall ${result.ratios.cachedWall}, main busy ${result.ratios.cachedMainBusy}; next run (disk cache): wall ${result.ratios.diskCachedWall}`,
);
if (process.argv[2]) writeFileSync(process.argv[2], `${JSON.stringify(result, null, 2)}\n`);
