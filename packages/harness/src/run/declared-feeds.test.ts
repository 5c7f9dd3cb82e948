import { describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { buildModel } from '@crossrt/model';
import { declaredFeeds, graphInputNames } from './declared-feeds.js';

const t = (v: number): HostTensor => ({ dtype: 'float32', dims: [1], data: new Float32Array([v]) });

describe('declaredFeeds', () => {
  it('keeps only the tensors a model declares as graph inputs, in the order they were made', () => {
    const model = buildModel({
      opset: 13,
      inputs: [
        { name: 'b', dtype: 'float32', dims: [1] },
        { name: 'a', dtype: 'float32', dims: [1] },
      ],
      outputs: [{ name: 'y', dtype: 'float32', dims: [1] }],
      nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }],
    });
    expect([...graphInputNames(model)]).toEqual(['b', 'a']);
    const feeds = declaredFeeds(
      graphInputNames(model),
      new Map([
        ['a', t(1)],
        ['c', t(3)],
        ['b', t(2)],
      ]),
    );
    expect(Object.keys(feeds)).toEqual(['a', 'b']);
    expect([...(feeds['b']!.data as Float32Array)]).toEqual([2]);
  });
});
