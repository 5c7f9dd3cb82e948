import {
  allocate,
  encodeFloat16Array,
  numberToBfloat16Bits,
  type DType,
  type TensorData,
  type ValuePlan,
} from '@crossrt/core';
import type { SeededStream } from './seeded-stream.js';
import { SPECIAL_STRINGS, SPECIAL_VALUES } from './special-values.js';
import { INTEGER_RANGES, isFloatingDType } from './value-plan.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Values of one tensor from its plan, in flat (row-major) order. Row-wise plans (prefix-ones,
 * segments, arange) work along the last axis. Integer values are clamped into the dtype's range, so a
 * plan can never wrap around silently. With `special`, even flat indices take the dtype's special
 * values in turn (see special-values.ts) and odd ones the plan's values.
 */
export function fillTensor(
  dtype: DType,
  dims: readonly number[],
  plan: ValuePlan,
  s: SeededStream,
  special = false,
): TensorData {
  const n = dims.reduce((a, b) => a * b, 1);
  if (dtype === 'string') {
    return Array.from({ length: n }, (_, i) =>
      special && i % 2 === 0
        ? SPECIAL_STRINGS[(i / 2) % SPECIAL_STRINGS.length]!
        : Array.from({ length: s.int(1, 8) }, () => ALPHABET[s.int(0, 25)]).join(''),
    );
  }
  const values = planValues(dtype, dims, plan, s, n);
  if (dtype === 'float16') return withSpecials(encodeFloat16Array(values), dtype, special);
  if (dtype === 'bfloat16') {
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = numberToBfloat16Bits(values[i]!);
    return withSpecials(out, dtype, special);
  }
  const out = allocate(dtype, n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = BigInt(values[i]!);
  } else {
    (out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>).set(values);
  }
  return withSpecials(out as Exclude<TensorData, string[]>, dtype, special);
}

/** Plan values as doubles (integers already rounded and clamped). */
function planValues(dtype: DType, dims: readonly number[], plan: ValuePlan, s: SeededStream, n: number): Float64Array {
  const out = new Float64Array(n);
  const integer = !isFloatingDType(dtype);
  const row = dims.length ? dims[dims.length - 1]! : 1;
  switch (plan.kind) {
    case 'uniform':
      for (let i = 0; i < n; i++)
        out[i] = integer
          ? s.int(Math.ceil(plan.low), Math.floor(plan.high))
          : plan.low + (plan.high - plan.low) * s.unit();
      break;
    case 'normal':
      for (let i = 0; i < n; i++) out[i] = plan.mean + plan.std * s.normal();
      break;
    case 'constant':
      out.fill(plan.value);
      break;
    case 'bernoulli':
      for (let i = 0; i < n; i++) out[i] = s.unit() < plan.p ? 1 : 0;
      break;
    case 'words':
      break;
    case 'prefix-ones':
      for (let base = 0; base + row <= n && row > 0; base += row) {
        const ones = s.int(Math.max(1, Math.ceil(row * plan.minFraction)), row);
        for (let j = 0; j < row; j++) out[base + j] = j < ones ? 1 : 0;
      }
      break;
    case 'segments':
      for (let base = 0; base + row <= n && row > 0; base += row) {
        const split = row > 1 ? s.int(1, row - 1) : row;
        for (let j = 0; j < row; j++) out[base + j] = j < split ? 0 : 1;
      }
      break;
    case 'arange':
      for (let i = 0; i < n; i++) out[i] = plan.start + (row > 0 ? i % row : 0);
      break;
  }
  if (integer) {
    const [lo, hi] = INTEGER_RANGES[dtype] ?? [-Infinity, Infinity];
    for (let i = 0; i < n; i++) out[i] = Math.min(hi, Math.max(lo, Math.round(out[i]!)));
  }
  return out;
}

function withSpecials<T extends Exclude<TensorData, string[]>>(out: T, dtype: DType, special: boolean): T {
  const list = SPECIAL_VALUES[dtype];
  if (!special || !list || list.length === 0) return out;
  for (let i = 0; i < out.length; i += 2) {
    const v = list[(i / 2) % list.length]!;
    if (dtype === 'float16') (out as Uint16Array)[i] = encodeFloat16Array([Number(v)])[0]!;
    else if (dtype === 'bfloat16') (out as Uint16Array)[i] = numberToBfloat16Bits(Number(v));
    else if (out instanceof BigInt64Array) out[i] = BigInt.asIntN(64, v as bigint);
    else if (out instanceof BigUint64Array) out[i] = BigInt.asUintN(64, v as bigint);
    else (out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>)[i] = Number(v);
  }
  return out;
}
