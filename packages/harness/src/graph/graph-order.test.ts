import { describe, expect, it } from 'vitest';
import type { TensorDivergence } from '@crossrt/core';
import { buildModel } from '@crossrt/model';
import { coneOf, graphOrder } from './graph-order.js';
import { judgeNodes } from '../discrepancy/localize.js';

const f32 = (dims: number[], values: number[]) => ({ dtype: 'float32' as const, dims, data: new Float32Array(values) });

// a = Relu(x); b = Neg(a); c = Add(a, w); y = Mul(b, c) — listed out of order on purpose.
const model = buildModel({
  opset: 13,
  inputs: [{ name: 'x', dtype: 'float32', dims: [2] }],
  outputs: [{ name: 'y', dtype: 'float32', dims: [2] }],
  initializers: { w: f32([2], [1, 2]) },
  nodes: [
    { op: 'Mul', inputs: ['b', 'c'], outputs: ['y'], name: 'mul' },
    { op: 'Add', inputs: ['a', 'w'], outputs: ['c'], name: 'add' },
    { op: 'Relu', inputs: ['x'], outputs: ['a'], name: 'relu' },
    { op: 'Neg', inputs: ['a'], outputs: ['b'], name: 'neg' },
  ],
});

describe('graphOrder', () => {
  it('sorts an unsorted graph topologically, keeping file order among ready nodes', () => {
    const o = graphOrder(model);
    expect(o.nodes.map((n) => n.label)).toEqual(['relu', 'add', 'neg', 'mul']);
    expect(o.producer.get('c')).toBe(1);
    expect([...o.initializers]).toEqual(['w']);
    expect([...o.graphInputs]).toEqual(['x']);
  });

  it('rejects a cycle with a typed error', () => {
    const cyclic = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1] }],
      outputs: [{ name: 'q', dtype: 'float32', dims: [1] }],
      nodes: [
        { op: 'Add', inputs: ['x', 'q'], outputs: ['p'] },
        { op: 'Neg', inputs: ['p'], outputs: ['q'] },
      ],
    });
    expect(() => graphOrder(cyclic)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
  });

  it('coneOf stops at cut tensors and reports which cut tensors and graph inputs are read', () => {
    const o = graphOrder(model);
    expect(coneOf(o, ['y'])).toEqual({ nodes: [0, 1, 2, 3], cutReads: [], graphInputReads: ['x'] });
    const cut = coneOf(o, ['y'], new Set(['a']));
    expect(cut.nodes).toEqual([1, 2, 3]);
    expect(cut.cutReads).toEqual(['a']);
    expect(cut.graphInputReads).toEqual([]);
    expect(coneOf(o, ['y'], new Set(['b', 'c'])).nodes).toEqual([3]);
  });
});

describe('judgeNodes (culprit rule)', () => {
  const o = graphOrder(model);
  const t = (tensor: string, verdict: TensorDivergence['verdict'], maxAbsError = 0): TensorDivergence => ({
    tensor,
    verdict,
    maxAbsError,
  });

  it('names the first diverging node whose inputs agree; later nodes fed by it are "diverged"', () => {
    const r = new Map(
      [
        ['a', t('a', 'pass')],
        ['c', t('c', 'mismatch', 0.5)],
        ['b', t('b', 'pass')],
        ['y', t('y', 'mismatch', 1)],
      ].map(([k, v]) => [k as string, v as TensorDivergence]),
    );
    expect(judgeNodes(o, r, new Map()).map((n) => [n.name, n.status])).toEqual([
      ['relu', 'agree'],
      ['add', 'culprit'],
      ['neg', 'agree'],
      ['mul', 'diverged'],
    ]);
  });

  it('marks a second independent start as "origin" and notes inputs that agree only within tolerance', () => {
    const r = new Map<string, TensorDivergence>([
      ['a', t('a', 'pass', 1e-9)],
      ['c', t('c', 'mismatch', 0.5)],
      ['b', t('b', 'mismatch', 0.25)],
      ['y', t('y', 'mismatch', 1)],
    ]);
    const nodes = judgeNodes(o, r, new Map());
    expect(nodes.map((n) => n.status)).toEqual(['agree', 'culprit', 'origin', 'diverged']);
    expect(nodes[1]!.inputMaxAbsError).toBe(1e-9);
    expect(nodes[3]!.divergentInputs).toEqual(['b', 'c']);
  });

  it('a node with no comparable output is "unknown", and its outputs count as unknown inputs downstream', () => {
    const r = new Map<string, TensorDivergence>([
      ['a', { tensor: 'a', verdict: 'unavailable' }],
      ['c', t('c', 'mismatch', 1)],
      ['b', t('b', 'pass')],
      ['y', t('y', 'mismatch', 1)],
    ]);
    const nodes = judgeNodes(o, r, new Map());
    expect(nodes[0]!.status).toBe('unknown');
    expect(nodes[1]).toMatchObject({ status: 'culprit', divergentInputs: ['a'] });
  });
});
