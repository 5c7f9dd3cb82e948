/**
 * What both placement-proof test files share: the built CLI run as a child process (CI=true), its JSON
 * report read through the schema, and the ONNX backend node cases added to the model cases.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportSchema, type Report } from '@crossrt/core';
import { REPO } from './placement-cases.js';

const bin = join(REPO, 'packages/cli/dist/main.js');
export const NODE_CASES = [
  'test_relu',
  'test_conv_with_strides_padding',
  'test_upsample_nearest',
  'test_matmul_2d',
  'test_gather_0',
  'test_reshape_extended_dims',
];

export function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 600_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}
export const readReport = (path: string): Report => ReportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));

/** Every case's [name, status, placement source] — what a placement proof needs of each case. */
export function placementRows(report: Report): [string | undefined, string | undefined, string | undefined][] {
  return report.cases.map((c) => [c.id.split('/').at(-1), c.outcomes[0]?.status, c.outcomes[0]?.placement?.source]);
}

/** The verdicts of every comparison of the cases whose id ends with `/<id>`. */
export function verdictsOf(report: Report, id: string): string[] {
  return report.cases.filter((c) => c.id.endsWith(`/${id}`)).flatMap((c) => c.comparisons.map((x) => x.verdict));
}
