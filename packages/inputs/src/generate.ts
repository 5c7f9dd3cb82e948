import { createHash } from 'node:crypto';
import {
  allocate, bytesPerElement, CrossrtError, elementCount, encodeFloat16Array, numberToBfloat16Bits,
  type DType, type HostTensor, type InputRecord, type TensorData, type DimResolution,
} from '@crossrt/core';
import type { ValueSignature } from '@crossrt/model';
import { resolveShapes, type DimOptions } from './dim-resolution.js';
import { SeededStream } from './seeded-stream.js';
import { planFromHeuristics, type SemanticHeuristic, SEMANTIC_HEURISTICS } from './semantic-heuristics.js';
import { defaultPlan, describePlan, type PlannedInput, type ValuePlan } from './value-plan.js';

export interface GenerateOptions extends DimOptions {
  readonly seed: number;
  /** Per-input plans that override heuristics and defaults. */
  readonly plans?: Readonly<Record<string, ValuePlan>>;
  readonly heuristics?: readonly SemanticHeuristic[];
  /** Refuse to allocate more than this many bytes of inputs. Default 2 GiB. */
  readonly maxBytes?: number;
}

export interface GeneratedInputs {
  readonly tensors: ReadonlyMap<string, HostTensor>;
  readonly records: readonly InputRecord[];
  readonly dims: readonly DimResolution[];
}

export const DEFAULT_MAX_INPUT_BYTES = 2 * 1024 ** 3;

export function generateInputs(inputs: readonly ValueSignature[], options: GenerateOptions): GeneratedInputs {
  const { shapes, resolutions } = resolveShapes(inputs, options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let total = 0;
  for (const input of inputs) {
    if (input.kind !== 'tensor' || !input.dtype) {
      throw new CrossrtError('MODEL_UNSUPPORTED_IO', `input "${input.name}" is a ${input.kind === 'tensor' ? `${input.elemTypeName} tensor` : input.kind}; crossrt can only generate tensors of supported dtypes`, 'feed a model whose inputs are plain tensors');
    }
    total += elementCount(shapes.get(input.name)!) * Math.max(1, bytesPerElement(input.dtype));
  }
  if (total > maxBytes) {
    throw new CrossrtError('INPUT_TOO_LARGE', `inputs would need ${(total / 1024 ** 3).toFixed(2)} GiB (limit ${(maxBytes / 1024 ** 3).toFixed(2)} GiB)`, 'set smaller symbolic dims with --dim/--shape');
  }
  const tensors = new Map<string, HostTensor>();
  const records: InputRecord[] = [];
  for (const input of inputs) {
    const dtype = input.dtype!;
    const dims = shapes.get(input.name)!;
    const override = options.plans?.[input.name];
    const planned: PlannedInput = override
      ? { plan: override }
      : planFromHeuristics({ name: input.name, dtype, dims }, options.heuristics ?? SEMANTIC_HEURISTICS) ?? { plan: defaultPlan(dtype) };
    const tensor: HostTensor = { dtype, dims, data: fill(dtype, elementCount(dims), planned.plan, new SeededStream(options.seed, input.name)) };
    tensors.set(input.name, tensor);
    records.push({
      name: input.name, dtype, dims: [...dims], generator: describePlan(planned.plan, dtype),
      ...(planned.heuristic ? { heuristic: planned.heuristic } : {}), sha256: tensorSha256(tensor),
    });
  }
  return { tensors, records, dims: resolutions };
}

function drawNumber(plan: ValuePlan, s: SeededStream, integer: boolean): number {
  switch (plan.kind) {
    case 'uniform': return integer ? s.int(plan.low, plan.high) : plan.low + (plan.high - plan.low) * s.unit();
    case 'normal': {
      const v = plan.mean + plan.std * s.normal();
      return integer ? Math.round(v) : v;
    }
    case 'constant': return plan.value;
    case 'bernoulli': return s.unit() < plan.p ? 1 : 0;
    case 'words': return 0;
  }
}

function fill(dtype: DType, n: number, plan: ValuePlan, s: SeededStream): TensorData {
  if (dtype === 'string') {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    return Array.from({ length: n }, () => Array.from({ length: s.int(1, 8) }, () => alphabet[s.int(0, 25)]).join(''));
  }
  const integer = !(dtype.startsWith('float') || dtype === 'bfloat16');
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = drawNumber(plan, s, false);
    if (dtype === 'float16') return encodeFloat16Array(values);
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = numberToBfloat16Bits(values[i]!);
    return out;
  }
  const out = allocate(dtype, n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = BigInt(drawNumber(plan, s, true));
  } else {
    const o = out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) o[i] = drawNumber(plan, s, integer);
  }
  return out;
}

export function tensorSha256(t: HostTensor): string {
  const h = createHash('sha256').update(`${t.dtype}[${t.dims.join(',')}]`);
  if (t.dtype === 'string') for (const s of t.data as string[]) h.update(`${s.length}:${s}`);
  else {
    const d = t.data as Exclude<TensorData, string[]>;
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest('hex');
}
