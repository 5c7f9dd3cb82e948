import { performance } from 'node:perf_hooks';
import { CrossrtError, isDType, type HostTensor, type TensorData } from '@crossrt/core/base';
import { RuntimeFailure, type RuntimeSession } from '@crossrt/runtime';

/**
 * HostTensor ↔ onnxruntime-common Tensor fields, written against the structural shape
 * `{ type, dims, data }` so this package does not import onnxruntime. Both ORT adapters use it.
 * ORT's JS API names bool `bool`, fp16 `float16` (Uint16Array bits); it has no bfloat16 tensors.
 */
export interface OrtTensorFields {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export function toOrtFields(name: string, t: HostTensor): OrtTensorFields {
  if (t.dtype === 'bfloat16') {
    throw new CrossrtError(
      'MODEL_UNSUPPORTED_IO',
      `input "${name}" is bfloat16, which onnxruntime's JS API cannot feed`,
    );
  }
  return { type: t.dtype, dims: t.dims, data: t.data };
}

export function fromOrtFields(name: string, t: OrtTensorFields): HostTensor {
  if (!isDType(t.type))
    throw new CrossrtError('MODEL_UNSUPPORTED_IO', `output "${name}" has type ${t.type}, which crossrt cannot compare`);
  let data = t.data as TensorData;
  // Float16Array (where present) is decoded back to raw bits so every package sees one storage form.
  if (t.type === 'float16' && !(data instanceof Uint16Array)) {
    const src = data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number };
    data = new Uint16Array(src.buffer, src.byteOffset, src.length);
  }
  return { dtype: t.type, dims: [...t.dims], data };
}

/** The slice of onnxruntime-common's InferenceSession that both ORT adapters drive. */
export interface OrtLikeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, never>): Promise<Record<string, OrtTensorFields>>;
  release(): Promise<void>;
}

/** Wrap an ORT session (node or web) as a RuntimeSession; `makeTensor` is that package's `new Tensor`. */
export function bridgeOrtSession(session: OrtLikeSession, makeTensor: (f: OrtTensorFields) => unknown): RuntimeSession {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, unknown> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = makeTensor(toOrtFields(name, t));
      const t0 = performance.now();
      let out: Record<string, OrtTensorFields>;
      try {
        out = await session.run(ortFeeds as Record<string, never>);
      } catch (e) {
        throw new RuntimeFailure('run-error', (e as Error).message);
      }
      const runMs = performance.now() - t0;
      const outputs: Record<string, HostTensor> = {};
      for (const [name, t] of Object.entries(out)) outputs[name] = fromOrtFields(name, t);
      return { outputs, runMs };
    },
    async dispose() {
      await session.release();
    },
  };
}

/** Session creation with timing; its errors are `load-error`s. */
export async function timedLoad<S>(create: () => Promise<S>): Promise<{ session: S; loadMs: number }> {
  const t0 = performance.now();
  try {
    const session = await create();
    return { session, loadMs: performance.now() - t0 };
  } catch (e) {
    throw new RuntimeFailure('load-error', (e as Error).message);
  }
}
