import type { FloatPassResult } from './float-metrics.js';

/**
 * The float32 kernel in WebAssembly SIMD (float64 lanes, so every figure equals the JS kernel's up to
 * summation order). The module is assembled here from named opcodes — no binary blob, no build step —
 * and instantiated once; where WebAssembly SIMD is missing, `float32SimdPass` returns undefined and the
 * JS kernel runs instead (`simdKernelStatus` keeps the reason). Data is copied in chunks of CHUNK elements into the module's memory (a memcpy
 * per chunk); accumulators stay in that memory between chunks.
 *
 * Per four elements: sign-magnitude ordinals for the ULP distance in int32 lanes; then per half, both
 * float32 lanes promoted to float64, |a-r|, sums of |a-r|, rel, (a-r)², a², r², lane-wise max |a-r|
 * (per chunk: the caller rescans the first chunk holding the maximum for its index), max rel, allclose
 * failures, max ULP distance, and one histogram counter per lane at the float64 exponent of |a-r|.
 * NaN/Inf are not special-cased: they make the |a-r| sum non-finite, and the caller then falls back to
 * the JS kernel, which classifies them.
 */
// The compile target's libs carry no WebAssembly types; the three members used here are declared.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

const CHUNK = 8192; // elements per array per chunk (32 KiB each)
const R_OFF = CHUNK * 4;
const HIST = 2 * CHUNK * 4; // 2048 int32 counters
const ACC = HIST + 2048 * 4; // 9 v128 accumulators
const PAGES = Math.ceil((ACC + 9 * 16) / 65536);
const enum Slot {
  SumAbs,
  MaxAbs,
  SumRel,
  MaxRel,
  SumSq,
  SumA,
  SumR,
  Mismatch,
  MaxUlp,
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const simd = (op: number, ...imm: number[]) => [0xfd, ...leb(op), ...imm];
/** i8x16.shuffle lane bytes that copy bytes 8..15 (float32 lanes 2,3) to bytes 0..7. */
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const f64x2Const = (lo: number, hi: number) => {
  const b = new Uint8Array(new Float64Array([lo, hi]).buffer);
  return simd(0x0c, ...b);
};
const i32x4Const = (v: number) => {
  const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
  return simd(0x0c, ...b);
};

// Opcodes (WebAssembly SIMD, final spec).
const V = {
  load: 0x00,
  store: 0x0b,
  load64zero: 0x5d,
  and: 0x4e,
  not: 0x4d,
  xor: 0x51,
  bitselect: 0x52,
  f64splat: 0x14,
  f64gt: 0x4a,
  f64le: 0x4b,
  f64abs: 0xec,
  f64add: 0xf0,
  f64sub: 0xf1,
  f64mul: 0xf2,
  f64div: 0xf3,
  f64max: 0xf5,
  shuffle: 0x0d,
  promote: 0x5f,
  f64pmax: 0xf7,
  f64convertLowS: 0xfe,
  i32shrS: 0xac,
  i32sub: 0xb1,
  i64abs: 0xc0,
  i64extendLowS: 0xc7,
  i64shrU: 0xcd,
  i64sub: 0xd1,
  i64gtS: 0xd9,
  i64extract: 0x1d,
};

/** Locals: params 0 n, 1 rtol, 2 atol; then i32 p, end, t; then v128 locals from index 6. */
const L = { n: 0, rtol: 1, atol: 2, p: 3, end: 4, t: 5 } as const;
const VL = [
  'a4',
  'r4',
  'oa4',
  'or4',
  'xa',
  'xr',
  'x',
  'y',
  'diff',
  'd',
  'ay',
  'rt',
  'at',
  'tmp',
  'e',
  'sumAbs',
  'maxAbs',
  'sumRel',
  'maxRel',
  'sumSq',
  'sumA',
  'sumR',
  'mism',
  'maxUlp',
] as const;
const v = (name: (typeof VL)[number]) => 6 + VL.indexOf(name);
const ACC_LOCALS = ['sumAbs', 'maxAbs', 'sumRel', 'maxRel', 'sumSq', 'sumA', 'sumR', 'mism', 'maxUlp'] as const;

function kernelBody(): number[] {
  const get = (i: number) => [0x20, ...leb(i)];
  const set = (i: number) => [0x21, ...leb(i)];
  const i32c = (x: number) => [0x41, ...sleb(x)];
  const memarg = (align: number, offset: number) => [...leb(align), ...leb(offset)];
  const code: number[] = [];
  const emit = (...xs: number[][]) => {
    for (const x of xs) code.push(...x);
  };
  // Accumulators in; maxAbs restarts per chunk (the caller keeps the running max and its chunk).
  ACC_LOCALS.forEach((name, k) => emit(i32c(0), simd(V.load, ...memarg(4, ACC + 16 * k)), set(v(name))));
  emit(f64x2Const(0, 0), set(v('maxAbs')));
  emit(get(L.rtol), simd(V.f64splat), set(v('rt')), get(L.atol), simd(V.f64splat), set(v('at')));
  emit(i32c(0), set(L.p), get(L.n), i32c(2), [0x74], set(L.end)); // end = n << 2
  emit([0x02, 0x40, 0x03, 0x40]); // block loop
  emit(get(L.p), get(L.end), [0x4f], [0x0d, 1]); // br_if p >= end (i32.ge_u)
  // Four elements per iteration: ordinals once for all four lanes, then the float64 work per half.
  emit(get(L.p), simd(V.load, ...memarg(4, 0)), set(v('a4')));
  emit(get(L.p), simd(V.load, ...memarg(4, R_OFF)), set(v('r4')));
  // ULP ordinal(b) = ((b & 0x7fffffff) ^ s) - s with s = b >> 31 (int32 lanes).
  for (const [src, dst] of [
    ['a4', 'oa4'],
    ['r4', 'or4'],
  ] as const) {
    emit(get(v(src)), i32c(31), simd(V.i32shrS), set(v('tmp')));
    emit(
      get(v(src)),
      i32x4Const(0x7fffffff),
      simd(V.and),
      get(v('tmp')),
      simd(V.xor),
      get(v('tmp')),
      simd(V.i32sub),
      set(v(dst)),
    );
  }
  for (const high of [false, true]) {
    // The high half moves lanes 2,3 down to 0,1 first.
    const lanes = (src: (typeof VL)[number]) =>
      high ? [...get(v(src)), ...get(v(src)), ...simd(V.shuffle, ...HIGH_TO_LOW)] : get(v(src));
    emit(lanes('a4'), simd(V.promote), set(v('x')), lanes('r4'), simd(V.promote), set(v('y')));
    emit(lanes('oa4'), simd(V.f64convertLowS), set(v('xa')), lanes('or4'), simd(V.f64convertLowS), set(v('xr')));
    emit(get(v('x')), get(v('y')), simd(V.f64sub), set(v('diff')));
    emit(get(v('diff')), simd(V.f64abs), set(v('d')));
    emit(get(v('y')), simd(V.f64abs), set(v('ay')));
    emit(get(v('sumAbs')), get(v('d')), simd(V.f64add), set(v('sumAbs')));
    emit(get(v('maxAbs')), get(v('d')), simd(V.f64pmax), set(v('maxAbs')));
    // rel = d / max(|r|, 1e-12)
    emit(get(v('d')), get(v('ay')), f64x2Const(1e-12, 1e-12), simd(V.f64pmax), simd(V.f64div), set(v('tmp')));
    emit(get(v('sumRel')), get(v('tmp')), simd(V.f64add), set(v('sumRel')));
    emit(get(v('maxRel')), get(v('tmp')), simd(V.f64pmax), set(v('maxRel')));
    emit(get(v('sumSq')), get(v('diff')), get(v('diff')), simd(V.f64mul), simd(V.f64add), set(v('sumSq')));
    emit(get(v('sumA')), get(v('x')), get(v('x')), simd(V.f64mul), simd(V.f64add), set(v('sumA')));
    emit(get(v('sumR')), get(v('y')), get(v('y')), simd(V.f64mul), simd(V.f64add), set(v('sumR')));
    // allclose failure: d > atol + rtol*|r|; the all-ones lane mask is -1 as int64.
    emit(
      get(v('mism')),
      get(v('d')),
      get(v('at')),
      get(v('rt')),
      get(v('ay')),
      simd(V.f64mul),
      simd(V.f64add),
      simd(V.f64gt),
      simd(V.i64sub),
      set(v('mism')),
    );
    // ULP distance from the ordinals, as float64 (exact).
    emit(
      get(v('maxUlp')),
      get(v('xa')),
      get(v('xr')),
      simd(V.f64sub),
      simd(V.f64abs),
      simd(V.f64pmax),
      set(v('maxUlp')),
    );
    // Histogram: counters at the float64 exponent of each lane's |a-r| (0 for equal lanes).
    emit(get(v('d')), i32c(52), simd(V.i64shrU), set(v('e')));
    for (const lane of [0, 1]) {
      emit(get(v('e')), simd(V.i64extract, lane), [0xa7], i32c(2), [0x74], [0x22, ...leb(L.t)]); // wrap, shl 2, tee t
      emit(get(L.t), [0x28, ...memarg(2, HIST)], i32c(1), [0x6a], [0x36, ...memarg(2, HIST)]);
    }
  }
  emit(get(L.p), i32c(16), [0x6a], set(L.p), [0x0c, 0]); // p += 16; br loop
  emit([0x0b, 0x0b]); // end loop, end block
  ACC_LOCALS.forEach((name, k) => emit(i32c(0), get(v(name)), simd(V.store, ...memarg(4, ACC + 16 * k))));
  emit([0x0b]);
  const locals = [2, ...leb(3), 0x7f, ...leb(VL.length), 0x7b];
  const body = [...locals, ...code];
  return [...leb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const section = (id: number, payload: number[]) => [id, ...leb(payload.length), ...payload];
  const name = (s: string) => [...leb(s.length), ...new TextEncoder().encode(s)];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7c, 0x7c, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, ...leb(PAGES)]),
    ...section(7, [2, ...name('mem'), 2, 0, ...name('run'), 0, 0]),
    ...section(10, [1, ...kernelBody()]),
  ]);
}

interface SimdKernel {
  readonly run: (n: number, rtol: number, atol: number) => void;
  readonly memory: WasmMemory;
}
/** Whether the kernel instantiated here, and if not, what WebAssembly said. */
export type SimdKernelStatus = { readonly available: true } | { readonly available: false; readonly reason: string };
let kernel: SimdKernel | undefined;
let status: SimdKernelStatus | undefined;

function instantiate(): SimdKernel | undefined {
  if (status) return kernel;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
    const exports = instance.exports as { run: SimdKernel['run']; mem: WasmMemory };
    kernel = { run: exports.run, memory: exports.mem };
    status = { available: true };
  } catch (e) {
    // No WebAssembly SIMD here, or a module this file assembled wrong: the JS kernel runs, and the
    // reason is kept so that a test or a benchmark can say which it was.
    status = { available: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  return kernel;
}

export function simdKernelStatus(): SimdKernelStatus {
  instantiate();
  return status!;
}

export function simdKernelAvailable(): boolean {
  return simdKernelStatus().available;
}

/**
 * All float32 metrics through the SIMD kernel, or undefined when WebAssembly SIMD is unavailable or the
 * pair holds NaN/Inf (then the JS kernel, which classifies non-finite values, runs instead). The index of
 * the largest |a-r| comes from the first chunk that reached it, rescanned here.
 */
export function float32SimdPass(
  a: Float32Array,
  r: Float32Array,
  rtol: number,
  atol: number,
): FloatPassResult | undefined {
  const k = instantiate();
  if (!k) return undefined;
  const n = Math.min(a.length, r.length);
  const buf = k.memory.buffer;
  const f32 = new Float32Array(buf),
    f64 = new Float64Array(buf),
    i32 = new Int32Array(buf),
    u32 = new Uint32Array(buf);
  const acc = (slot: Slot, lane: number) => f64[(ACC + 16 * slot) / 8 + lane]!;
  const accInt = (slot: Slot, lane: number) =>
    u32[(ACC + 16 * slot) / 4 + 2 * lane]! + i32[(ACC + 16 * slot) / 4 + 2 * lane + 1]! * 4294967296;
  i32.fill(0, HIST / 4, (ACC + 9 * 16) / 4);
  let pads = 0,
    maxAbs = 0,
    worstChunk = -1;
  for (let off = 0; off < n; off += CHUNK) {
    const m = Math.min(CHUNK, n - off);
    f32.set(a.subarray(off, off + m), 0);
    f32.set(r.subarray(off, off + m), R_OFF / 4);
    // The kernel takes four elements at a time: pad with equal zeros (counted out of the zero errors).
    let mm = m;
    while (mm & 3) {
      f32[mm] = 0;
      f32[R_OFF / 4 + mm] = 0;
      mm++;
      pads++;
    }
    k.run(mm, rtol, atol);
    const chunkMax = Math.max(acc(Slot.MaxAbs, 0), acc(Slot.MaxAbs, 1));
    if (chunkMax > maxAbs) {
      maxAbs = chunkMax;
      worstChunk = off;
    }
  }
  const sumAbs = acc(Slot.SumAbs, 0) + acc(Slot.SumAbs, 1);
  if (!Number.isFinite(sumAbs)) return undefined; // a NaN/Inf pair: the JS kernel classifies them
  let worst = -1;
  for (let i = Math.max(0, worstChunk); worstChunk >= 0 && i < n; i++) {
    if (Math.abs(a[i]! - r[i]!) === maxAbs) {
      worst = i;
      break;
    }
  }
  const hist = new Int32Array(buf, HIST, 2048).slice();
  const zero = hist[0]! - pads;
  hist[0] = 0;
  const sumSq = acc(Slot.SumSq, 0) + acc(Slot.SumSq, 1),
    aa = acc(Slot.SumA, 0) + acc(Slot.SumA, 1),
    rr = acc(Slot.SumR, 0) + acc(Slot.SumR, 1);
  return {
    elements: n,
    finite: n,
    maxAbs,
    sumAbs,
    maxRel: Math.max(acc(Slot.MaxRel, 0), acc(Slot.MaxRel, 1)),
    sumRel: acc(Slot.SumRel, 0) + acc(Slot.SumRel, 1),
    sumSqErr: sumSq,
    dot: (aa + rr - sumSq) / 2,
    sumSqA: aa,
    sumSqR: rr,
    maxUlp: Math.max(acc(Slot.MaxUlp, 0), acc(Slot.MaxUlp, 1)),
    allcloseMismatches: accInt(Slot.Mismatch, 0) + accInt(Slot.Mismatch, 1),
    nanInfMismatches: 0,
    actualNaN: 0,
    referenceNaN: 0,
    actualInf: 0,
    referenceInf: 0,
    worstIndex: worst,
    zeroErrors: zero,
    exponentCounts: hist,
  };
}
