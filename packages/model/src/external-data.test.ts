import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readModelFile } from './onnx-file.js';
import { externalDataFiles, inlineExternalData, resolveExternalLocation } from './external-data.js';
import { tensorFromProto } from './tensor-proto.js';

const SHA1_B = '85d97583ddadef7887c17b0b70877b75a9b216ea';
const fixture = (c: string) =>
  fileURLToPath(new URL(`../../../fixtures/model-io/external/${c}/model.onnx`, import.meta.url));

describe('external data', () => {
  it('resolves files beside the model (also in subfolders) and reads the tensors', async () => {
    for (const c of ['ok', 'subdir-ok']) {
      const m = await readModelFile(fixture(c));
      expect(m.externalData.map((r) => [r.tensor, r.offset, r.length])).toEqual([
        ['W', 0, 16],
        ['b', 16, 8],
      ]);
      const files = externalDataFiles(m.externalData);
      expect(files.map((f) => f.path)).toEqual([c === 'ok' ? 'weights.bin' : 'data/weights.bin']);
      expect(files[0]!.file.startsWith(m.dir)).toBe(true);
      const [W, b] = m.proto.graph!.initializer;
      expect(tensorFromProto(W!, 'W', { modelDir: m.dir })).toEqual({
        dtype: 'float32',
        dims: [2, 2],
        data: new Float32Array([1, 2, 3, 4]),
      });
      expect(tensorFromProto(b!, 'b', { modelDir: m.dir }).data).toEqual(new Float32Array([10, 20]));
      // Without the model folder an external tensor cannot be read.
      expect(() => tensorFromProto(W!)).toThrow(/external data/);
    }
  });

  it.each([
    ['absolute', 'EXTERNAL_DATA_ESCAPES', /absolute/],
    ['dotdot', 'EXTERNAL_DATA_ESCAPES', /\.\./],
    ['dotdot-inner', 'EXTERNAL_DATA_ESCAPES', /\.\./],
    ['symlink', 'EXTERNAL_DATA_ESCAPES', /symlink/],
    ['missing', 'EXTERNAL_DATA_MISSING', /not found/],
    ['short', 'EXTERNAL_DATA_SHORT', /holds 20/],
  ])('%s → %s before anything reads the model', async (c, code, message) => {
    await expect(readModelFile(fixture(c))).rejects.toMatchObject({
      name: 'CrossrtError',
      code,
      message: expect.stringMatching(message),
    });
  });

  it('refuses Windows-style absolute and backslash escapes too', () => {
    const dir = fileURLToPath(new URL('../../../fixtures/model-io/external/ok', import.meta.url));
    for (const loc of [
      'C:\\Windows\\win.ini',
      '\\\\server\\share\\w.bin',
      '..\\secret.bin',
      'data\\..\\..\\secret.bin',
    ]) {
      expect(() => resolveExternalLocation(dir, loc), loc).toThrow(
        expect.objectContaining({ code: 'EXTERNAL_DATA_ESCAPES' }),
      );
    }
  });

  it('verifies the optional SHA-1 checksum when it reads the bytes', async () => {
    const m = await readModelFile(fixture('ok'));
    const b = m.proto.graph!.initializer[1]!;
    // SHA-1 of float32 [10, 20] little-endian (00 00 20 41 00 00 a0 41), computed independently with sha1sum.
    b.externalData.push({ $typeName: 'onnx.StringStringEntryProto', key: 'checksum', value: SHA1_B });
    expect(tensorFromProto(b, 'b', { modelDir: m.dir }).data).toEqual(new Float32Array([10, 20]));
    b.externalData.at(-1)!.value = '0'.repeat(40);
    expect(() => tensorFromProto(b, 'b', { modelDir: m.dir })).toThrow(
      expect.objectContaining({ code: 'EXTERNAL_DATA_INVALID', message: expect.stringContaining('checksum') }),
    );
  });

  it('skips the check only when asked, and can inline the data for writing elsewhere', async () => {
    const m = await readModelFile(fixture('missing'), { externalData: 'skip' });
    expect(m.externalData).toEqual([]);
    const ok = await readModelFile(fixture('ok'));
    const inlined = inlineExternalData(ok.proto, ok.dir);
    expect(tensorFromProto(inlined.graph!.initializer[1]!).data).toEqual(new Float32Array([10, 20]));
    expect(ok.proto.graph!.initializer[1]!.dataLocation).toBe(1); // the original is untouched
  });
});
