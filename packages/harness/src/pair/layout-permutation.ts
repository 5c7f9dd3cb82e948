import { CrossrtError, elementCount, type HostTensor, type TensorData } from '@crossrt/core';

/**
 * Layout permutations between formats: ONNX Transpose's convention, tfjsDims[i] = onnxDims[perm[i]].
 * Pure: dims and permutations in, permuted dims, names or tensors out.
 */

export function identityPerm(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

export function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

export function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

export function permuteDims<T>(dims: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => dims[p]!);
}

/** Channels-first → channels-last for rank ≥ 3: [0, 2, …, r-1, 1] (NCHW → NHWC, NCW → NWC, NCDHW → NDHWC). */
export function channelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

export function describePerm(perm: readonly number[]): string {
  if (isIdentity(perm)) return 'same layout';
  const r = perm.length;
  if (r >= 3 && channelsLastPerm(r).every((p, i) => p === perm[i])) {
    const spatial = ['W', 'HW', 'DHW'][r - 3];
    return spatial
      ? `NC${spatial}→N${spatial}C (perm [${perm.join(',')}])`
      : `channels-first→channels-last (perm [${perm.join(',')}])`;
  }
  return `perm [${perm.join(',')}]`;
}

/** Layouts converters actually produce; inference only considers these, so it never guesses a shuffle. */
export function layoutCandidates(rank: number): number[][] {
  return rank >= 3 ? [identityPerm(rank), channelsLastPerm(rank)] : [identityPerm(rank)];
}

/** Generic N-d transpose of a HostTensor (out dims = in dims permuted, ONNX Transpose semantics). */
export function transposeTensor(t: HostTensor, perm: readonly number[]): HostTensor {
  if (perm.length !== t.dims.length)
    throw new CrossrtError(
      'PAIR_MAPPING_UNRESOLVED',
      `perm [${perm.join(',')}] does not fit a tensor of rank ${t.dims.length}`,
    );
  if (isIdentity(perm)) return t;
  const outDims = permuteDims(t.dims, perm);
  const inStrides = t.dims.map((_, i) => t.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const n = elementCount(t.dims);
  const src = t.data as ArrayLike<unknown> & { length: number };
  const out = (Array.isArray(t.data)
    ? new Array<string>(n)
    : new (t.data.constructor as new (n: number) => TensorData)(n)) as unknown as { [i: number]: unknown };
  const idx = new Array<number>(perm.length).fill(0);
  const strides = perm.map((p) => inStrides[p]!);
  for (let o = 0; o < n; o++) {
    let s = 0;
    for (let k = 0; k < strides.length; k++) s += idx[k]! * strides[k]!;
    out[o] = (src as { [i: number]: unknown })[s];
    for (let k = perm.length - 1; k >= 0; k--) {
      if (++idx[k]! < outDims[k]!) break;
      idx[k] = 0;
    }
  }
  return { dtype: t.dtype, dims: outDims, data: out as unknown as TensorData };
}
