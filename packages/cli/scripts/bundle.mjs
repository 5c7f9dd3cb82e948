#!/usr/bin/env node
/**
 * Bundles the `crossrt` command (dist/entry.js, compiled by tsc) into dist/main.js plus a few chunks
 * in dist/bundle/, with rolldown. Why: Node 20 loads ES modules one file at a time, and the CLI's
 * graph is ~370 of them (95 from zod, 66 from @bufbuild/protobuf, 60 from the harness); loading them
 * was most of `crossrt --version`'s 0.75 s against 0.1 s for bare Node. One file per chunk cuts the
 * fixed start-up every command pays, which is what a small model's run or a 2 GB model's ratio to
 * the raw runtime is made of.
 *
 * The entry stays small and the command modules become a chunk loaded by its dynamic import, so the
 * early hosts (src/early-hosts.ts) still start before most of the CLI is evaluated.
 *
 * Left outside the bundle: the runtimes (onnxruntime-*, TF.js, playwright-core: loaded only by host
 * processes, which run each package's own dist/, and too large or native to inline), and what the code
 * loads through createRequire at run time (yaml, xmlbuilder2, chart.js's UMD file). Files shipped with
 * a package (host entry, pages, templates, the Python bridge) are found by package name
 * (@crossrt/core's packageFile), not beside the module, so they resolve from the bundle too.
 *
 *   node scripts/bundle.mjs            (the cli package's build, after tsc -b)
 */
import { rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(pkgDir, 'dist');
const RUNTIME_PACKAGES = /^(onnxruntime-node|onnxruntime-web|onnxruntime-common|@tensorflow\/|playwright-core)(\/|$)/;
const builtins = new Set(builtinModules);

rmSync(join(dist, 'bundle'), { recursive: true, force: true });
await build({
  input: { main: join(dist, 'entry.js') },
  platform: 'node',
  external: (id) => id.startsWith('node:') || builtins.has(id) || RUNTIME_PACKAGES.test(id),
  logLevel: 'warn',
  output: {
    dir: dist,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'bundle/[name]-[hash].js',
  },
});
