/**
 * Test-only adapter module for TargetHost: ort-web in Chromium with fault-page-runner.mjs, and a small
 * renderer heap (--max-old-space-size=128) so a heap fault exhausts it in about a second.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBrowserRuntime } from '../dist/index.js';

const here = fileURLToPath(new URL('./', import.meta.url));
const ortDist = dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));
const ortRunnerDir = fileURLToPath(new URL('../../runtime-ort-web/page/', import.meta.url));

export function createRuntime() {
  return createBrowserRuntime({
    name: 'ort-web',
    runnerUrl: '/fault/fault-page-runner.mjs',
    mounts: { '/ort/': ortDist, '/runner/': ortRunnerDir, '/fault/': here },
    chromiumArgs: () => [{ label: 'small-heap', args: ['--js-flags=--max-old-space-size=128'] }],
  });
}
