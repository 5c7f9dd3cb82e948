#!/usr/bin/env node
/**
 * The source-oracle half of the main job: torchvision's resnet18 (seeded random weights, randomized
 * BatchNorm statistics; fixtures/torch/torchvision_models.py) exported by torch.onnx.export at opsets
 * 13 and 17, each export run on ort-node:cpu and ort-web:wasm and judged against PyTorch itself, with
 * every module compared layer-wise. Writes reports/torch-resnet18.{json,html}.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const cli = join(repo, 'packages', 'cli', 'dist', 'main.js');
const args = [
  cli,
  'torch',
  'torchvision_models.py:resnet18',
  '--opset',
  '13,17',
  '--targets',
  'ort-node:cpu,ort-web:wasm',
  '--layerwise',
  'always',
  '--out-dir',
  join(repo, 'reports', 'torch-exports'),
  '--json',
  join(repo, 'reports', 'torch-resnet18.json'),
  '--html',
  join(repo, 'reports', 'torch-resnet18.html'),
  ...process.argv.slice(2),
];
console.log(
  `$ (cd fixtures/torch && crossrt ${args
    .slice(1)
    .map((a) => a.replace(`${repo}/`, '../../'))
    .join(' ')})\n`,
);
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: join(repo, 'fixtures', 'torch') });
process.exitCode = r.status ?? 3;
