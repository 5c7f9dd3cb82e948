import { CrossrtError, type HostTensor, type TensorMappingConfig } from '@crossrt/core';
import type { DeclaredDim } from '@crossrt/model';
import { describePerm, identityPerm, invertPerm, layoutCandidates, permuteDims } from './layout-permutation.js';

/**
 * Variant groups across formats: the same logical model as ONNX and as TF.js. Tensors are paired by
 * name and layout so the same inputs feed both sides and outputs are compared after mapping.
 * Everything here is pure: names, dims and permutations in, a mapping or a typed error out.
 */

export type PairSide = 'onnx' | 'tfjs';

/** A resolved pairing of one tensor. `perm` follows ONNX Transpose: tfjsDims[i] = onnxDims[perm[i]]. */
export interface TensorMapping {
  readonly onnx: string;
  readonly tfjs: string;
  readonly perm: readonly number[];
  readonly source: 'config' | 'inferred';
  /** How the pairing and the permutation were decided, in words (for the report). */
  readonly rule: string;
}

/** A value as the mapper sees it: a name and dims (declared, or actual after a run). */
export interface PairValue {
  readonly name: string;
  readonly dims?: readonly DeclaredDim[];
}

function dimsAgree(onnx: readonly DeclaredDim[], tfjs: readonly DeclaredDim[], perm: readonly number[]): boolean {
  // A symbolic or unknown dim on either side agrees with anything.
  return (
    tfjs.length === onnx.length &&
    perm.every((p, i) => {
      const a = onnx[p];
      const b = tfjs[i];
      return typeof a !== 'number' || typeof b !== 'number' || a === b;
    })
  );
}

const normalizeName = (n: string) =>
  n
    .replace(/:\d+$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

function fmtDims(d: readonly DeclaredDim[] | undefined): string {
  return d ? `[${d.map((x) => (x === null ? '?' : String(x))).join(',')}]` : '[rank?]';
}

/**
 * Pair the ONNX and TF.js values of one side (inputs or outputs) and find each permutation.
 * Config entries win; the rest is inferred: pairing by name when names match, else the only value
 * when there is one, else by shape when each shape fits exactly one partner; the permutation is the
 * one layout (identity or channels-last) the dims allow. When dims allow both (e.g. [1,4,4,4]),
 * `preferredPerms` breaks the tie (outputs follow the layout the inputs were found to have); otherwise
 * the mapping is ambiguous and a typed error asks for config.
 */
export function resolveTensorMappings(
  kind: 'input' | 'output',
  onnxValues: readonly PairValue[],
  tfjsValues: readonly PairValue[],
  config: readonly TensorMappingConfig[] | undefined,
  preferredPerms: ReadonlyMap<number, readonly number[]> = new Map(),
): TensorMapping[] {
  const hint = `give the ${kind} mapping in crossrt-pair.json: "${kind}s": [{ "onnx": "<name>", "tfjs": "<name>", "perm": [0,2,3,1] }]`;
  if (onnxValues.length !== tfjsValues.length && !config) {
    throw new CrossrtError(
      'PAIR_MAPPING_UNRESOLVED',
      `ONNX has ${onnxValues.length} ${kind}(s) (${onnxValues.map((v) => v.name).join(', ')}), TF.js has ${tfjsValues.length} (${tfjsValues.map((v) => v.name).join(', ')}): cannot pair them`,
      hint,
    );
  }
  const onnxBy = new Map(onnxValues.map((v) => [v.name, v]));
  const tfjsBy = new Map(tfjsValues.map((v) => [v.name, v]));
  const mappings: TensorMapping[] = [];
  for (const c of config ?? []) {
    const o = onnxBy.get(c.onnx);
    const t = tfjsBy.get(c.tfjs);
    if (!o)
      throw new CrossrtError(
        'PAIR_CONFIG_INVALID',
        `mapping names ONNX ${kind} "${c.onnx}", which the model does not have`,
        `ONNX ${kind}s: ${onnxValues.map((v) => v.name).join(', ')}`,
      );
    if (!t)
      throw new CrossrtError(
        'PAIR_CONFIG_INVALID',
        `mapping names TF.js ${kind} "${c.tfjs}", which the model does not have`,
        `TF.js ${kind}s: ${tfjsValues.map((v) => v.name).join(', ')}`,
      );
    const rank = o.dims?.length ?? t.dims?.length;
    let perm = c.perm;
    if (perm) {
      const sorted = [...perm].sort((a, b) => a - b);
      if (!sorted.every((p, i) => p === i) || (rank !== undefined && perm.length !== rank)) {
        throw new CrossrtError(
          'PAIR_CONFIG_INVALID',
          `perm [${perm.join(',')}] for ${kind} ${c.onnx} ↔ ${c.tfjs} is not a permutation of rank ${rank ?? '?'}`,
          'perm lists every axis once: tfjsDims[i] = onnxDims[perm[i]]',
        );
      }
      if (o.dims && t.dims && !dimsAgree(o.dims, t.dims, perm)) {
        throw new CrossrtError(
          'PAIR_CONFIG_INVALID',
          `perm [${perm.join(',')}] maps ONNX ${fmtDims(o.dims)} to ${fmtDims(permuteDims(o.dims, perm))}, but TF.js ${kind} ${c.tfjs} is ${fmtDims(t.dims)}`,
          'tfjsDims[i] = onnxDims[perm[i]]; NCHW → NHWC is [0,2,3,1]',
        );
      }
      mappings.push({
        onnx: c.onnx,
        tfjs: c.tfjs,
        perm: [...perm],
        source: 'config',
        rule: `given: ${describePerm(perm)}`,
      });
    } else {
      const found = inferPerm(kind, o, t, preferredPerms);
      mappings.push({
        onnx: c.onnx,
        tfjs: c.tfjs,
        perm: found.perm,
        source: 'config',
        rule: `names given; ${found.rule}`,
      });
    }
  }
  if (config && config.length > 0) {
    const missing = onnxValues.filter((v) => !mappings.some((m) => m.onnx === v.name));
    if (missing.length > 0)
      throw new CrossrtError(
        'PAIR_CONFIG_INVALID',
        `the ${kind} mapping leaves ONNX ${kind}(s) ${missing.map((v) => v.name).join(', ')} unpaired`,
        hint,
      );
    return mappings;
  }
  for (const [o, t, how] of pairValues(kind, onnxValues, tfjsValues, hint)) {
    const found = inferPerm(kind, o, t, preferredPerms);
    mappings.push({ onnx: o.name, tfjs: t.name, perm: found.perm, source: 'inferred', rule: `${how}; ${found.rule}` });
  }
  return mappings;
}

function pairValues(
  kind: string,
  onnx: readonly PairValue[],
  tfjs: readonly PairValue[],
  hint: string,
): [PairValue, PairValue, string][] {
  if (onnx.length === 1) return [[onnx[0]!, tfjs[0]!, 'the only ' + kind + ' on each side']];
  const byName = onnx.map((o) => tfjs.filter((t) => normalizeName(t.name) === normalizeName(o.name)));
  if (byName.every((c) => c.length === 1) && new Set(byName.map((c) => c[0]!.name)).size === onnx.length) {
    return onnx.map((o, i) => [o, byName[i]![0]!, 'same name']);
  }
  const fits = (o: PairValue, t: PairValue) =>
    !!o.dims && !!t.dims && layoutCandidates(o.dims.length).some((p) => dimsAgree(o.dims!, t.dims!, p));
  const byShape = onnx.map((o) => tfjs.filter((t) => fits(o, t)));
  if (byShape.every((c) => c.length === 1) && new Set(byShape.map((c) => c[0]!.name)).size === onnx.length) {
    return onnx.map((o, i) => [o, byShape[i]![0]!, 'the only partner of that shape']);
  }
  const detail = onnx
    .map(
      (o, i) =>
        `${o.name}${fmtDims(o.dims)} fits ${byShape[i]!.map((t) => `${t.name}${fmtDims(t.dims)}`).join(' / ') || 'nothing'}`,
    )
    .join('; ');
  throw new CrossrtError('PAIR_MAPPING_UNRESOLVED', `cannot pair ${kind}s by name or shape: ${detail}`, hint);
}

function inferPerm(
  kind: string,
  o: PairValue,
  t: PairValue,
  preferred: ReadonlyMap<number, readonly number[]>,
): { perm: number[]; rule: string } {
  if (!o.dims || !t.dims) {
    const rank = o.dims?.length ?? t.dims?.length;
    if (rank !== undefined && rank < 3) return { perm: identityPerm(rank), rule: 'rank < 3: same layout' };
    throw new CrossrtError(
      'PAIR_MAPPING_UNRESOLVED',
      `${kind} ${o.name} ↔ ${t.name}: rank unknown on one side, layout cannot be inferred`,
      `give "perm" for it in crossrt-pair.json`,
    );
  }
  if (o.dims.length !== t.dims.length) {
    throw new CrossrtError(
      'PAIR_MAPPING_UNRESOLVED',
      `${kind} ${o.name}${fmtDims(o.dims)} and ${t.name}${fmtDims(t.dims)} differ in rank`,
      'a converter that changes rank needs a reshape, which crossrt does not map',
    );
  }
  const fitting = layoutCandidates(o.dims.length).filter((p) => dimsAgree(o.dims!, t.dims!, p));
  if (fitting.length === 1)
    return { perm: fitting[0]!, rule: `${describePerm(fitting[0]!)} (the only layout the dims allow)` };
  if (fitting.length === 0) {
    throw new CrossrtError(
      'PAIR_MAPPING_UNRESOLVED',
      `${kind} ${o.name}${fmtDims(o.dims)} ↔ ${t.name}${fmtDims(t.dims)}: dims match neither the same layout nor channels-last`,
      'give "perm" for it in crossrt-pair.json',
    );
  }
  const pref = preferred.get(o.dims.length);
  const chosen = pref && fitting.find((p) => p.every((x, i) => x === pref[i]));
  if (chosen)
    return { perm: chosen, rule: `${describePerm(chosen)} (dims allow several layouts; following the inputs' layout)` };
  throw new CrossrtError(
    'PAIR_MAPPING_UNRESOLVED',
    `${kind} ${o.name}${fmtDims(o.dims)} ↔ ${t.name}${fmtDims(t.dims)}: dims fit ${fitting.map(describePerm).join(' and ')}; ambiguous`,
    'give "perm" for it in crossrt-pair.json',
  );
}

/** The layout each rank was found to have on the input side: outputs of the same rank follow it. */
export function layoutByRank(mappings: readonly TensorMapping[]): Map<number, readonly number[]> {
  const by = new Map<number, readonly number[]>();
  for (const m of mappings) if (!by.has(m.perm.length)) by.set(m.perm.length, m.perm);
  return by;
}

/** TF.js computes int64 as int32: widen an int32 output when its ONNX partner is int64, so values compare. */
export function alignIntegerWidth(t: HostTensor, partnerDtype: string | undefined): HostTensor {
  if (t.dtype === 'int32' && partnerDtype === 'int64') {
    return { dtype: 'int64', dims: t.dims, data: BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)) };
  }
  return t;
}
