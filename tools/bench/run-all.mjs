#!/usr/bin/env node
/**
 * `npm run bench`: runs every tools/bench/*.bench.mjs in its own process (one after the other, so they
 * do not steal each other's cores), prints their tables and collects their JSON into out/bench.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'out', 'bench');
mkdirSync(outDir, { recursive: true });
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const results = {};
let failed = 0;
for (const file of benches) {
  const name = file.replace('.bench.mjs', '');
  const jsonPath = join(outDir, `${name}.json`);
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, file), jsonPath], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
  if (existsSync(jsonPath)) results[name] = JSON.parse(readFileSync(jsonPath, 'utf8'));
}
writeFileSync(
  join(outDir, '..', 'bench.json'),
  `${JSON.stringify({ createdAt: new Date().toISOString(), results }, null, 2)}\n`,
);
console.log(`\nbench results: out/bench.json (${benches.length} bench(es), ${failed} failed)`);
process.exitCode = failed ? 1 : 0;
