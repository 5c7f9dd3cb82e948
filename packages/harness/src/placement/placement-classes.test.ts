import { describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { buildModel } from '@crossrt/model';
import { classifyGraph } from './placement-classes.js';

const i64 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'int64',
  dims,
  data: BigInt64Array.from(values.map(BigInt)),
});
const f32 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});

/**
 * A graph whose node classes are known by construction (x is the image, sr a scalar sample rate):
 *   shape (rule 1, reads only shapes and small constants): shape_x, first_dim, first_dim_1d, new_shape,
 *     is_16k (sr == 16000), zeros (ConstantOfShape of x's shape: float, but no data read);
 *   shape (rule 2, integer/bool output used only as index or condition): positive (peak > 0 → And),
 *     cond (→ If's cond), best (ArgMax → Gather's indices);
 *   compute: conv, flatten (Reshape's data), peak (ReduceMax), the If and both branch nodes (their
 *     outputs are the model's `z`), picked (Gather of data, a model output), plus_zeros, votes
 *     (ArgMax whose result feeds arithmetic), votes_f, scaled, and shape_out (Shape, but its output is
 *     a model output).
 */
function knownGraph() {
  const image = { name: 'x', dtype: 'float32' as const, dims: [1, 3, 8, 8] };
  return buildModel({
    name: 'known_classes',
    opset: 17,
    inputs: [image, { name: 'sr', dtype: 'int64', dims: [] }],
    outputs: [
      { name: 'z', dtype: 'float32', dims: [1, null] },
      { name: 'picked', dtype: 'float32', dims: [1] },
      { name: 'xz', dtype: 'float32', dims: [1, 3, 8, 8] },
      { name: 'scaled', dtype: 'float32', dims: [1] },
      { name: 'shape_out', dtype: 'int64', dims: [4] },
    ],
    initializers: {
      W: f32(
        [4, 3, 3, 3],
        Array.from({ length: 108 }, (_, k) => (k % 7) / 7),
      ),
      axes0: i64([1], [0]),
      idx0: i64([], [0]),
      minus1: i64([1], [-1]),
      rate: i64([], [16000]),
      zero: f32([], [0]),
      half: f32([], [0.5]),
    },
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['s'], name: 'shape_x' },
      { op: 'Gather', inputs: ['s', 'idx0'], outputs: ['n'], name: 'first_dim' },
      { op: 'Unsqueeze', inputs: ['n', 'axes0'], outputs: ['n1'], name: 'first_dim_1d' },
      { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['new_shape'], name: 'new_shape', attrs: { axis: 0 } },
      { op: 'Conv', inputs: ['x', 'W'], outputs: ['y'], name: 'conv', attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Reshape', inputs: ['y', 'new_shape'], outputs: ['flat'], name: 'flatten' },
      { op: 'Equal', inputs: ['sr', 'rate'], outputs: ['is16k'], name: 'is_16k' },
      { op: 'ReduceMax', inputs: ['flat'], outputs: ['peak'], name: 'peak', attrs: { keepdims: 0 } },
      { op: 'Greater', inputs: ['peak', 'zero'], outputs: ['pos'], name: 'positive' },
      { op: 'And', inputs: ['is16k', 'pos'], outputs: ['c'], name: 'cond' },
      {
        op: 'If',
        inputs: ['c'],
        outputs: ['z'],
        name: 'branch',
        attrs: {
          then_branch: {
            graph: {
              outputs: [{ name: 'tz', dtype: 'float32', dims: [1, null] }],
              nodes: [{ op: 'Relu', inputs: ['flat'], outputs: ['tz'], name: 'then_relu' }],
            },
          },
          else_branch: {
            graph: {
              outputs: [{ name: 'ez', dtype: 'float32', dims: [1, null] }],
              nodes: [{ op: 'Neg', inputs: ['flat'], outputs: ['ez'], name: 'else_neg' }],
            },
          },
        },
      },
      { op: 'ArgMax', inputs: ['flat'], outputs: ['am'], name: 'best', attrs: { axis: 1, keepdims: 0 } },
      { op: 'Gather', inputs: ['flat', 'am'], outputs: ['picked'], name: 'picked', attrs: { axis: 1 } },
      { op: 'ConstantOfShape', inputs: ['s'], outputs: ['zs'], name: 'zeros' },
      { op: 'Add', inputs: ['x', 'zs'], outputs: ['xz'], name: 'plus_zeros' },
      { op: 'ArgMax', inputs: ['flat'], outputs: ['am2'], name: 'votes', attrs: { axis: 1, keepdims: 0 } },
      { op: 'Cast', inputs: ['am2'], outputs: ['am2f'], name: 'votes_f', attrs: { to: 1 } },
      { op: 'Mul', inputs: ['am2f', 'half'], outputs: ['scaled'], name: 'scaled' },
      { op: 'Shape', inputs: ['x'], outputs: ['shape_out'], name: 'shape_out' },
    ],
  });
}

describe('classifyGraph', () => {
  const classes = classifyGraph(knownGraph());
  const cls = (name: string) => classes.byName.get(name)!.map((c) => c.class);

  it('finds the shape/control nodes of a graph built to have them, and nothing else', () => {
    const shape = classes.nodes
      .filter((n) => n.class === 'shape')
      .map((n) => n.name)
      .sort();
    expect(shape).toEqual([
      'best',
      'cond',
      'first_dim',
      'first_dim_1d',
      'is_16k',
      'new_shape',
      'positive',
      'shape_x',
      'zeros',
    ]);
    expect(
      classes.nodes
        .filter((n) => n.class === 'compute')
        .map((n) => n.name)
        .sort(),
    ).toEqual([
      'branch',
      'conv',
      'else_neg',
      'flatten',
      'peak',
      'picked',
      'plus_zeros',
      'scaled',
      'shape_out',
      'then_relu',
      'votes',
      'votes_f',
    ]);
  });

  it('says which rule decided', () => {
    const why = (name: string) => classes.byName.get(name)![0]!.why;
    expect(why('new_shape')).toBe('reads only shapes, sizes and small constants');
    expect(why('zeros')).toBe('reads only shapes, sizes and small constants');
    expect(why('cond')).toBe('integer/bool output used only as shape, index or condition');
    expect(why('best')).toBe('integer/bool output used only as shape, index or condition');
    expect(why('shape_out')).toBe('produces a model output');
    expect(why('then_relu')).toBe('produces a model output');
    expect(why('votes')).toBe("reads the model's data");
  });

  it('an integer result that feeds arithmetic is compute; the same op feeding only indices is control', () => {
    expect(cls('best')).toEqual(['shape']);
    expect(cls('votes')).toEqual(['compute']);
  });

  it("records the weights each node reads and the model's tensor bytes", () => {
    expect(classes.byName.get('conv')![0]!.weights).toEqual(['W']);
    expect(classes.tensorBytes.get('W')).toBe(108 * 4);
    // W, four int64 scalars/vectors of one element (8 bytes each), two float scalars.
    expect(classes.totalBytes).toBe(108 * 4 + 4 * 8 + 2 * 4);
  });

  it("follows a Loop: trip count and condition are control slots, the body's carried shape stays shape", () => {
    const model = buildModel({
      name: 'loop',
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float32', dims: [2, 3] }],
      outputs: [{ name: 'acc', dtype: 'float32', dims: [2, 3] }],
      initializers: { one: f32([], [1]), t: { dtype: 'bool', dims: [], data: new Uint8Array([1]) } },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['sx'], name: 'shape' },
        { op: 'ReduceProd', inputs: ['sx'], outputs: ['count'], name: 'count', attrs: { keepdims: 0 } },
        {
          op: 'Loop',
          inputs: ['count', 't', 'x'],
          outputs: ['acc'],
          name: 'loop',
          attrs: {
            body: {
              graph: {
                inputs: [
                  { name: 'i', dtype: 'int64', dims: [] },
                  { name: 'c_in', dtype: 'bool', dims: [] },
                  { name: 'a_in', dtype: 'float32', dims: [2, 3] },
                ],
                outputs: [
                  { name: 'c_out', dtype: 'bool', dims: [] },
                  { name: 'a_out', dtype: 'float32', dims: [2, 3] },
                ],
                nodes: [
                  { op: 'Identity', inputs: ['c_in'], outputs: ['c_out'], name: 'keep_going' },
                  { op: 'Add', inputs: ['a_in', 'one'], outputs: ['a_out'], name: 'step' },
                ],
              },
            },
          },
        },
      ],
    });
    const c = classifyGraph(model);
    expect(c.nodes.map((n) => `${n.name}:${n.class}`)).toEqual([
      'shape:shape',
      'count:shape',
      'keep_going:shape',
      'step:compute',
      'loop:compute',
    ]);
  });

  it('credits a node with the weights that reach it through weight-only nodes ORT folds at load', () => {
    const model = buildModel({
      name: 'folded',
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float32', dims: [2, 8] }],
      outputs: [{ name: 'y', dtype: 'float32', dims: [2, 4] }],
      initializers: {
        W: f32(
          [8, 8],
          Array.from({ length: 64 }, (_, k) => k),
        ),
        start: i64([1], [0]),
        end: i64([1], [4]),
        axis: i64([1], [1]),
      },
      nodes: [
        // torch's LSTM exports slice one weight per gate like this.
        { op: 'Slice', inputs: ['W', 'start', 'end', 'axis'], outputs: ['W4'], name: 'gate_weight' },
        { op: 'MatMul', inputs: ['x', 'W4'], outputs: ['y'], name: 'gate' },
      ],
    });
    const c = classifyGraph(model);
    expect(c.byName.get('gate')![0]!.weights).toEqual(['W', 'start', 'end', 'axis']);
    expect(c.byName.get('gate_weight')![0]!.weights).toEqual(['W', 'start', 'end', 'axis']);
  });
});
