import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, encodeNpz, encodeTensorFile, type ValueSignature } from '@crossrt/model';
import { generateInputs } from './generate.js';
import { loadInputFiles, parseInputFileSpec } from './input-files.js';

const dir = mkdtempSync(join(tmpdir(), 'crossrt-inputs-'));
const inputs: ValueSignature[] = [
  { name: 'x', kind: 'tensor', dtype: 'float32', elemTypeName: 'float32', dims: ['batch', 3] },
  { name: 'ids', kind: 'tensor', dtype: 'int64', elemTypeName: 'int64', dims: ['batch', 'seq'] },
];
const write = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const x = { dtype: 'float32' as const, dims: [2, 3], data: new Float32Array([1, -2, 3, 0.5, NaN, -0]) };

describe('loadInputFiles', () => {
  it('parses name=path and bare paths', () => {
    expect(parseInputFileSpec('x=a/b.npy')).toEqual({ name: 'x', path: 'a/b.npy' });
    expect(parseInputFileSpec('dir/a=b.npz')).toEqual({ path: 'dir/a=b.npz' });
  });

  it('reads .npy, .npz, .pb and .json and binds symbolic dims from them', async () => {
    const npy = write('x.npy', encodeNpy(x));
    const npz = write(
      'both.npz',
      encodeNpz({
        x,
        ids: { dtype: 'int64', dims: [2, 4], data: new BigInt64Array([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]) },
      }),
    );
    const pb = write('in.pb', encodeTensorFile(x, 'x'));
    const json = write(
      'in.json',
      JSON.stringify({
        ids: [
          [1, 2, 3, 4],
          ['5', 6, 7, 8],
        ],
        x: { dims: [2, 3], data: [1, -2, 3, 0.5, 'NaN', -0] },
      }),
    );
    for (const p of [npy, pb]) {
      const files = await loadInputFiles([{ path: p }], inputs);
      expect([...(files.get('x')!.tensor.data as Float32Array)]).toEqual([...x.data]);
    }
    const z = await loadInputFiles([{ path: npz }], inputs);
    expect(z.get('ids')!.source).toBe('file:both.npz[ids]');
    const j = await loadInputFiles([{ path: json }], inputs);
    expect([...(j.get('ids')!.tensor.data as BigInt64Array)]).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(j.get('x')!.tensor.data[4]).toBeNaN();
    const g = generateInputs(inputs, { seed: 0, files: z });
    expect(g.tensors.get('ids')!.dims).toEqual([2, 4]);
    expect(g.records.map((r) => r.generator)).toEqual(['file:both.npz[x]', 'file:both.npz[ids]']);
    expect(g.dims.every((d) => d.source === 'file')).toBe(true);
  });

  it('says what differs when a file does not fit the model', async () => {
    const wrongType = write('x64.npy', encodeNpy({ dtype: 'float64', dims: [2, 3], data: new Float64Array(6) }));
    await expect(loadInputFiles([{ name: 'x', path: wrongType }], inputs)).rejects.toMatchObject({
      code: 'TENSOR_INVALID',
      message: expect.stringMatching(/is float64, the model declares float32/),
    });
    const wrongDims = write('x4.npy', encodeNpy({ dtype: 'float32', dims: [2, 4], data: new Float32Array(8) }));
    await expect(loadInputFiles([{ name: 'x', path: wrongDims }], inputs)).rejects.toMatchObject({
      code: 'SHAPE_INVALID',
      message: expect.stringMatching(/dims \[2,4\], the model declares \[batch,3\]/),
    });
    await expect(loadInputFiles([{ name: 'nope', path: wrongDims }], inputs)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(loadInputFiles([{ path: join(dir, 'missing.npy') }], inputs)).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    await expect(loadInputFiles([{ path: write('bad.json', '{"x": [[1, 2], [3]]}') }], inputs)).rejects.toMatchObject({
      code: 'ARRAY_FILE_INVALID',
    });
    await expect(loadInputFiles([{ path: write('t.txt', 'hello') }], inputs)).rejects.toMatchObject({ code: 'USAGE' });
  });
});
