/**
 * The fixed CI sample of the ONNX backend test suite (fixtures/known-failures/ci-sample.json, Debian
 * libonnx-testdata) on ort-node:cpu and ort-web:wasm, judged against the committed known-failures
 * files (fixtures/known-failures/ort-node-cpu.json, ort-web-wasm.json): nothing new may fail, every
 * dtype crossrt carries must be read from the suite's .pb files, and each cell kind shows up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DTYPES, type Report } from '@crossrt/core';
import { buildConformanceMatrix, type ConformanceMatrix } from '@crossrt/report';
import { findTarget } from '@crossrt/runtime';
import { readKnownFailuresFiles } from '../src/oracle/known-failures.js';
import { runOracleCases } from '../src/oracle/oracle-run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const sample = JSON.parse(readFileSync(join(repo, 'fixtures/known-failures/ci-sample.json'), 'utf8')) as {
  root: string;
  cases: string[];
};

describe('conformance CI sample', { timeout: 60_000 }, () => {
  let report: Report;
  let matrix: ConformanceMatrix;
  beforeAll(async () => {
    expect(existsSync(sample.root), `libonnx-testdata missing (${sample.root}): run npm run setup`).toBe(true);
    report = await runOracleCases(
      sample.cases.map((c) => join(sample.root, c)),
      { targets: [findTarget('ort-node:cpu'), findTarget('ort-web:wasm')], timeoutMs: 60_000 },
    );
    const known = await readKnownFailuresFiles(
      ['ort-node-cpu', 'ort-web-wasm'].map((t) => join(repo, `fixtures/known-failures/${t}.json`)),
    );
    matrix = buildConformanceMatrix(report, known);
  }, 120_000);

  it('has no failure outside the known-failures files', () => {
    expect(matrix.known.flatMap((k) => k.newFailures)).toEqual([]);
    expect(matrix.newFailures).toBe(0);
    expect(matrix.known.every((k) => k.nowPassing.length === 0)).toBe(true);
  });

  it("reads every dtype crossrt carries from the suite's TensorProto files", () => {
    const seen = new Set(
      report.cases.flatMap((c) => [
        ...c.inputs.map((i) => i.dtype),
        ...c.comparisons.map((x) => x.dtype.reference ?? ''),
      ]),
    );
    expect(DTYPES.filter((d) => !seen.has(d))).toEqual([]);
  });

  it('shows each cell kind with its reason', () => {
    const cell = (name: string, target: string) => matrix.rows.find((r) => r.name === name)!.cells[target]!;
    expect(cell('test_abs', 'ort-node:cpu')).toMatchObject({ cell: 'pass' });
    expect(cell('test_cast_FLOAT_to_STRING', 'ort-web:wasm')).toMatchObject({
      cell: 'mismatch',
      known: expect.stringContaining('significant digits'),
    });
    expect(cell('test_adam', 'ort-node:cpu')).toMatchObject({
      cell: 'load-error',
      detail: expect.stringContaining('Adam'),
    });
    expect(cell('test_sequence_insert_at_back', 'ort-node:cpu')).toMatchObject({
      cell: 'skipped',
      detail: expect.stringContaining('sequence'),
    });
    // StringNormalizer needs a C++ locale the native build lacks; the WASM build has it.
    expect(cell('test_strnormalizer_export_monday_casesensintive_lower', 'ort-node:cpu').cell).toBe('load-error');
    expect(cell('test_strnormalizer_export_monday_casesensintive_lower', 'ort-web:wasm').cell).toBe('pass');
  });

  it('totals per suite add up and name the failing op types', () => {
    const all = matrix.totals.filter((t) => t.suite === 'all');
    for (const t of all) expect(Object.values(t.counts).reduce((a, b) => a + b, 0)).toBe(sample.cases.length);
    expect(matrix.suites).toEqual(['node', 'pytorch-converted', 'pytorch-operator', 'simple']);
    expect(matrix.failureOps['ort-node:cpu']!.map((o) => o.opType)).toContain('Bernoulli');
  });
});
