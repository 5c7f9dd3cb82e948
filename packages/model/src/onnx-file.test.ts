import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, readModelFile } from './onnx-file.js';

const SUITE = '/usr/share/libonnx-testdata/data';
const broken = (f: string) => fileURLToPath(new URL(`../../../fixtures/model-io/broken/${f}`, import.meta.url));

describe('ModelProto round trip', () => {
  // Models written by the ONNX Python API (protobuf C++): re-encoding must give the same bytes back.
  it('re-encodes every model of the simple and pytorch-operator suites byte for byte', () => {
    expect(existsSync(SUITE), `libonnx-testdata missing (${SUITE}): run npm run setup`).toBe(true);
    let n = 0;
    for (const suite of ['simple', 'pytorch-operator']) {
      for (const c of readdirSync(`${SUITE}/${suite}`)) {
        const bytes = new Uint8Array(readFileSync(`${SUITE}/${suite}/${c}/model.onnx`));
        expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(Buffer.from(bytes)), `${suite}/${c}`).toBe(true);
        n++;
      }
    }
    expect(n).toBe(58);
  });
});

describe('fields this ONNX version does not know', () => {
  it('survive decode → encode (a model from a newer exporter keeps what it held)', () => {
    const bytes = new Uint8Array(
      readFileSync(fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url))),
    );
    // Field 99, varint 5: key (99 << 3 | 0) = 792 → varint bytes 0x98 0x06.
    const withUnknown = new Uint8Array([...bytes, 0x98, 0x06, 0x05]);
    expect(Buffer.from(encodeModel(decodeModel(withUnknown))).equals(Buffer.from(withUnknown))).toBe(true);
  });
});

describe('broken model files', () => {
  it.each([
    ['truncated.onnx', 'MODEL_TRUNCATED'],
    ['garbage.onnx', 'MODEL_INVALID'],
    ['empty.onnx', 'MODEL_EMPTY'],
  ])('%s → %s', async (f, code) => {
    await expect(readModelFile(broken(f))).rejects.toMatchObject({ name: 'CrossrtError', code });
  });
  it('a missing file is FILE_NOT_FOUND', async () => {
    await expect(readModelFile(broken('nope.onnx'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
