#!/usr/bin/env node
/**
 * Writes JSON Schema files generated from the zod schemas (the single source of truth) so editors can
 * complete and validate suite files (`# yaml-language-server: $schema=../../schemas/suite.schema.json`)
 * and reports. `--check` exits 1 when the committed files are stale (run by the core tests).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckConfigSchema, ReportSchema, SuiteSchema } from '@crossrt/core';

const dir = join(import.meta.dirname, '..', 'schemas');
const files = {
  'suite.schema.json': z.toJSONSchema(SuiteSchema, { io: 'input', unrepresentable: 'any' }),
  'report.schema.json': z.toJSONSchema(ReportSchema, { io: 'output', unrepresentable: 'any' }),
  'check-config.schema.json': z.toJSONSchema(CheckConfigSchema, { io: 'input', unrepresentable: 'any' }),
};
let stale = 0;
for (const [name, schema] of Object.entries(files)) {
  const text = `${JSON.stringify({ $id: `https://crossrt.dev/schemas/${name}`, ...schema }, null, 2)}\n`;
  const path = join(dir, name);
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {}
    if (old !== text) {
      console.error(`stale: schemas/${name} (run npm run schemas)`);
      stale++;
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote schemas/${name}`);
  }
}
process.exitCode = stale ? 1 : 0;
