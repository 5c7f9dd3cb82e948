#!/usr/bin/env node
/**
 * The source step against doing the same by hand: `crossrt torch FILE:BUILDER --opset 13,17` (export,
 * PyTorch forward, both Node targets, judged against PyTorch) vs a Python script that exports and runs
 * PyTorch the same way and writes backend test-case folders, followed by `crossrt conformance` on them.
 * Same module, opsets and targets; medians of interleaved rounds. Goal: ratio <= 1.10.
 * Usage: node torch-source.bench.mjs [out.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');
const cli = join(repo, 'packages', 'cli', 'dist', 'main.js');
const torchDir = join(repo, 'fixtures', 'torch');
const python = process.env.CROSSRT_PYTHON ?? '/usr/bin/python3';
const ROUNDS = 3;
const TARGETS = 'ort-node:cpu,ort-web:wasm';
const models = ['resnet18', 'mobilenet_v3_small'];

function timed(cmd, args, cwd) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const model of models) {
  const crossrtMs = [];
  const handMs = [];
  for (let k = 0; k < ROUNDS; k++) {
    const dir = mkdtempSync(join(tmpdir(), 'crossrt-bench-torch-'));
    crossrtMs.push(
      timed(
        process.execPath,
        [
          cli,
          'torch',
          `torchvision_models.py:${model}`,
          '--opset',
          '13,17',
          '-t',
          TARGETS,
          '--layerwise',
          'off',
          '--out-dir',
          join(dir, 'exports'),
          '-q',
        ],
        torchDir,
      ),
    );
    const t0 = performance.now();
    timed(
      python,
      [
        join(repo, 'tools', 'bench', 'torch-by-hand.py'),
        join(dir, 'cases'),
        join(torchDir, 'torchvision_models.py') + `:${model}`,
        '13',
        '17',
      ],
      torchDir,
    );
    const cases = readdirSync(join(dir, 'cases')).map((c) => join(dir, 'cases', c));
    timed(process.execPath, [cli, 'conformance', ...cases, '-t', TARGETS], repo);
    handMs.push(performance.now() - t0);
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push({
    model,
    crossrtMs: median(crossrtMs),
    byHandMs: median(handMs),
    ratio: median(crossrtMs) / median(handMs),
    rounds: ROUNDS,
  });
}
console.log('model                 crossrt torch   by hand (python + conformance)   ratio (goal <= 1.10)');
for (const r of rows)
  console.log(
    `${r.model.padEnd(22)}${(r.crossrtMs / 1000).toFixed(2).padStart(8)} s   ${(r.byHandMs / 1000).toFixed(2).padStart(10)} s                        ${r.ratio.toFixed(2)}x`,
  );
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (process.argv[2])
  writeFileSync(process.argv[2], `${JSON.stringify({ rows, targets: TARGETS, opsets: [13, 17] }, null, 2)}\n`);
