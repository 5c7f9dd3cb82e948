import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { clearField } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import { readExternalBytes, inlineExternalData } from './external-data.js';
import { fileSha256, fileSha256Sync, hashCacheFile } from './file-sha256.js';
import { buildModel } from './graph-builder.js';
import { readModelSkeleton } from './model-skeleton.js';
import { encodeModel, readModelFile, REFERENCE_MIN_FILE_BYTES } from './onnx-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'crossrt-skeleton-'));
const cacheBefore = process.env['CROSSRT_CACHE_DIR'];
process.env['CROSSRT_CACHE_DIR'] = join(tmp, 'cache'); // the on-disk hash cache stays in the temp folder
afterAll(() => {
  if (cacheBefore === undefined) delete process.env['CROSSRT_CACHE_DIR'];
  else process.env['CROSSRT_CACHE_DIR'] = cacheBefore;
  rmSync(tmp, { recursive: true, force: true });
});

// W: 2.2 M float32 (8.8 MB, over REFERENCE_MIN_FILE_BYTES) with W[i] = i / 2; b: 2 floats (stays inline).
const N = 2_200_000;
const W = Float32Array.from({ length: N }, (_, i) => i / 2);
const model = buildModel({
  name: 'skeleton',
  opset: 13,
  producer: 'crossrt-test',
  inputs: [{ name: 'x', dtype: 'float32', dims: [N] }],
  outputs: [{ name: 'y', dtype: 'float32', dims: [N] }],
  initializers: {
    W: { dtype: 'float32', dims: [N], data: W },
    b: { dtype: 'float32', dims: [2], data: new Float32Array([10, 20]) },
  },
  nodes: [{ op: 'Add', inputs: ['x', 'W'], outputs: ['y'], name: 'add' }],
});
const bytes = encodeModel(model);
const path = join(tmp, 'model.onnx');
writeFileSync(path, bytes);

describe('readModelSkeleton', () => {
  it('decodes the graph and turns the large payload into a reference into the file itself', () => {
    expect(bytes.length).toBeGreaterThan(REFERENCE_MIN_FILE_BYTES);
    const skeleton = readModelSkeleton(path, bytes.length)!;
    expect(skeleton.graph!.node.map((n) => n.opType)).toEqual(['Add']);
    expect(skeleton.producerName).toBe('crossrt-test');
    const [w, b] = skeleton.graph!.initializer;
    expect(w!.name).toBe('W');
    expect(w!.rawData.length).toBe(0);
    expect(w!.dims).toEqual([BigInt(N)]);
    expect(Object.fromEntries(w!.externalData.map((e) => [e.key, e.value]))).toMatchObject({
      location: 'model.onnx',
      length: String(N * 4),
    });
    // the bytes it points at are W's: W[0] = 0, W[1] = 0.5, W[N-1] = (N-1)/2
    const data = new Float32Array(readExternalBytes(w!, tmp).buffer);
    expect([data[0], data[1], data[N - 1]]).toEqual([0, 0.5, (N - 1) / 2]);
    // b (8 bytes) stays inline
    expect([...new Float32Array(b!.rawData.slice().buffer)]).toEqual([10, 20]);
  });

  it('is complete: with the references read back, it encodes to the file byte for byte', () => {
    const inlined = inlineExternalData(readModelSkeleton(path, bytes.length)!, tmp);
    // onnx.proto is proto2: inlineExternalData's data_location = DEFAULT is an explicit field; the file had none
    for (const t of inlined.graph!.initializer) clearField(t, TensorProtoSchema.field.dataLocation);
    expect(Buffer.from(encodeModel(inlined)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('gives up (undefined) on a truncated file, so the full decoder reports it', () => {
    const cut = join(tmp, 'cut.onnx');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
    expect(readModelSkeleton(cut, bytes.length - 1000)).toBeUndefined();
  });
});

describe("readModelFile({ weights: 'reference' })", () => {
  it('holds no file bytes, hashes the whole file, lists no self references as external data', async () => {
    const m = await readModelFile(path, { weights: 'reference' });
    expect(m.bytes).toBeUndefined();
    expect(m.size).toBe(bytes.length);
    expect(m.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(m.externalData).toEqual([]);
    expect(m.proto.graph!.initializer[0]!.dataLocation).toBe(1);
  });

  it('small files and truncated ones take the whole-file path (same errors as before)', async () => {
    const small = join(tmp, 'small.onnx');
    writeFileSync(
      small,
      encodeModel(
        buildModel({
          name: 'small',
          opset: 13,
          inputs: [{ name: 'x', dtype: 'float32', dims: [1] }],
          outputs: [{ name: 'y', dtype: 'float32', dims: [1] }],
          nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
        }),
      ),
    );
    expect((await readModelFile(small, { weights: 'reference' })).bytes).toBeDefined();
    const cut = join(tmp, 'cut2.onnx');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
    await expect(readModelFile(cut, { weights: 'reference' })).rejects.toMatchObject({ code: 'MODEL_TRUNCATED' });
  });
});

describe('fileSha256', () => {
  it('streams on a worker, once per file version; a rewrite is hashed again', async () => {
    const f = join(tmp, 'h.bin');
    writeFileSync(f, 'abc');
    const first = fileSha256(f, statSync(f));
    expect(fileSha256(f, statSync(f))).toBe(first); // the same promise: hashed once
    // SHA-256("abc"), FIPS 180-2 example
    expect(await first).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    writeFileSync(f, 'abcd');
    expect(await fileSha256(f, statSync(f))).toBe(createHash('sha256').update('abcd').digest('hex'));
    expect(fileSha256Sync(f)).toBe(createHash('sha256').update('abcd').digest('hex'));
  });
});

describe('the on-disk hash cache', () => {
  it('stores what the worker hashed and answers from it for the same file version (a later run)', async () => {
    process.env['CROSSRT_CACHE_DIR'] = join(tmp, 'cache-a');
    const f = join(tmp, 'disk.bin');
    writeFileSync(f, 'abc');
    const info = statSync(f);
    await fileSha256(f, info);
    const stored = JSON.parse(readFileSync(hashCacheFile()!, 'utf8'));
    expect(stored[f]).toEqual({
      identity: `3:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    // another file, known only to a cache written by "an earlier run": its stored hash is used, nothing hashed
    const g = join(tmp, 'disk2.bin');
    writeFileSync(g, 'xyz');
    const gi = statSync(g);
    process.env['CROSSRT_CACHE_DIR'] = join(tmp, 'cache-b');
    mkdirSync(join(tmp, 'cache-b'));
    writeFileSync(
      hashCacheFile()!,
      JSON.stringify({ [g]: { identity: `3:${gi.mtimeMs}:${gi.ctimeMs}:${gi.ino}`, sha256: 'f'.repeat(64) } }),
    );
    expect(await fileSha256(g, gi)).toBe('f'.repeat(64));
    // CROSSRT_HASH_CACHE=0: no file
    expect(hashCacheFile({ CROSSRT_HASH_CACHE: '0' })).toBeUndefined();
    process.env['CROSSRT_CACHE_DIR'] = join(tmp, 'cache');
  });
});
