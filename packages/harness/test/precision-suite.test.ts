/**
 * Integration: the suite `fp16` variant step — `variants: [{ id, fp16: { … } }]` — run by runSuite on
 * ort-node:cpu with the energy model of precision-models.ts, whose ReduceSumSquare must stay float32
 * (float16 IO: its value exceeds 65504). maxFp32Nodes 0 cannot pass, 1 can; a stored block-list that
 * names the node passes its check, an empty one fails.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK_LIST_SCHEMA_ID } from '@crossrt/core';
import { loadSuiteFile, planSuite, runSuite } from '../src/index.js';
import { overflowModel } from './precision-models.js';

const dir = mkdtempSync(join(tmpdir(), 'crossrt-precision-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blockList = (nodes: string[]) =>
  JSON.stringify({
    schema: BLOCK_LIST_SCHEMA_ID,
    model: 'energy.onnx',
    modelSha256: '-',
    keepIoTypes: false,
    policy: { minSnrDb: 30, minCosine: 0.999 },
    targets: ['ort-node:cpu'],
    nodes: nodes.map((node) => ({ node, opType: 'ReduceSumSquare', graph: '', reason: 'overflow' })),
  });

describe('suite variants with an fp16 step', { timeout: 180_000 }, () => {
  it('plans the fp16 variant after its model and refuses one with both path and fp16', async () => {
    overflowModel(dir);
    writeFileSync(
      join(dir, 'plan.yaml'),
      [
        'name: plan',
        'targets: [ort-node:cpu]',
        'models:',
        '  - path: energy.onnx',
        '    id: energy',
        '    variants:',
        '      - { id: fp16, fp16: { maxFp32Nodes: 2 } }',
      ].join('\n'),
    );
    const planned = await planSuite(loadSuiteFile(join(dir, 'plan.yaml')), join(dir, 'work'));
    expect(planned.map((c) => [c.id, c.kind])).toEqual([
      ['energy', 'model'],
      ['energy@fp16', 'variant'],
    ]);
    expect(planned[1]!.path).toBe(join(dir, 'work', 'fp16', 'energy@fp16.onnx'));
    expect(planned[1]!.variant).toEqual({ of: join(dir, 'energy.onnx'), fp16: { maxFp32Nodes: 2 } });
    writeFileSync(
      join(dir, 'bad.yaml'),
      [
        'name: bad',
        'targets: [ort-node:cpu]',
        'models:',
        '  - path: energy.onnx',
        '    variants: [{ id: x, path: a.onnx, fp16: {} }]',
      ].join('\n'),
    );
    expect(() => loadSuiteFile(join(dir, 'bad.yaml'))).toThrow(/exactly one of path/);
  });

  it('gates on the number of float32 nodes and on a stored block-list', async () => {
    overflowModel(dir);
    writeFileSync(join(dir, 'good.json'), blockList(['energy']));
    writeFileSync(join(dir, 'empty.json'), blockList([]));
    const step = 'policy: "snr=30,cosine=0.999", keepIoTypes: false';
    writeFileSync(
      join(dir, 'suite.yaml'),
      [
        'name: fp16-gates',
        'targets: [ort-node:cpu]',
        'models:',
        '  - path: energy.onnx',
        '    id: energy',
        '    variants:',
        `      - { id: fp16-one, fp16: { ${step}, maxFp32Nodes: 1 } }`,
        `      - { id: fp16-none, fp16: { ${step}, maxFp32Nodes: 0 } }`,
        '      - { id: fp16-stored, fp16: { blockList: good.json } }',
        '      - { id: fp16-stored-empty, fp16: { blockList: empty.json } }',
      ].join('\n'),
    );
    const report = await runSuite({ suiteFile: join(dir, 'suite.yaml'), jsonl: join(dir, 'out', 'suite.jsonl') });
    expect(report.cases.map((c) => [c.id, c.verdict])).toEqual([
      ['energy', 'pass'],
      ['energy@fp16-one', 'pass'],
      ['energy@fp16-none', 'fail'],
      ['energy@fp16-stored', 'pass'],
      ['energy@fp16-stored-empty', 'fail'],
    ]);
    const byId = new Map(report.cases.map((c) => [c.id, c]));
    expect(byId.get('energy@fp16-one')!.precision!.blockList.map((n) => n.node)).toEqual(['energy']);
    expect(byId.get('energy@fp16-none')!.notes).toContain(
      'gate: the block-list needs 1 float32 node(s), more than maxFp32Nodes 0',
    );
    expect(byId.get('energy@fp16-stored')!.precision!.mode).toBe('check');
    expect(existsSync(join(dir, 'out'))).toBe(true);
  });
});
