#!/usr/bin/env node
/**
 * The ONNX backend test suite (Debian libonnx-testdata: node, pytorch-converted, pytorch-operator,
 * simple) on every Node target, against the committed known-failures files. Exits like
 * `crossrt conformance`: 0 when nothing new fails, 1 on new failures, 2 on unreadable cases.
 *
 *   npm run conformance                         # all four suites, ort-node:cpu + ort-web:wasm
 *   npm run conformance -- --sample             # the fixed CI sample only
 *   npm run conformance -- --targets ort-node:cpu --suites node
 *
 * Writes out/conformance/{report,matrix}.json. Needs `npm run build` and `npm run setup` (the suite).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = '/usr/share/libonnx-testdata/data';
const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'ort-node:cpu,ort-web:wasm' },
    suites: { type: 'string', default: 'node,pytorch-converted,pytorch-operator,simple' },
    sample: { type: 'boolean', default: false },
    out: { type: 'string', default: join(repo, 'out', 'conformance') },
    matrix: { type: 'string', default: 'none' },
  },
});

if (!existsSync(ROOT)) {
  console.error(`conformance: ${ROOT} is missing; run \`npm run setup\` (Debian package libonnx-testdata)`);
  process.exit(2);
}
const targets = values.targets
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);
const dirs = values.sample
  ? JSON.parse(readFileSync(join(repo, 'fixtures/known-failures/ci-sample.json'), 'utf8')).cases.map((c) =>
      join(ROOT, c),
    )
  : values.suites.split(',').map((s) => join(ROOT, s.trim()));
const knownFailures = targets
  .map((t) => join(repo, 'fixtures/known-failures', `${t.replace(/[:@]/g, '-')}.json`))
  .filter((f) => existsSync(f))
  .flatMap((f) => ['--known-failures', f]);

mkdirSync(values.out, { recursive: true });
const args = [
  join(repo, 'packages/cli/dist/main.js'),
  'conformance',
  ...dirs,
  '--targets',
  targets.join(','),
  ...knownFailures,
  '--matrix',
  values.matrix,
  '--json',
  join(values.out, 'report.json'),
  '--matrix-json',
  join(values.out, 'matrix.json'),
];
const t0 = Date.now();
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
console.log(
  `conformance: ${dirs.length} path(s) on ${targets.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s; reports in ${values.out}`,
);
process.exit(r.status ?? 3);
