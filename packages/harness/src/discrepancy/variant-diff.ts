import { describeError, type HostTensor } from '@crossrt/core';
import { tensorFromProto, type ModelProto } from '@crossrt/model';

/**
 * What two variants of one graph change node by node: op type, attributes, and the values of
 * initializers a node reads. Nodes pair by their first output name (exporters keep tensor names
 * stable when one node changes). Keyed by that first output name.
 */
export function variantParameterDiffs(reference: ModelProto, variant: ModelProto): Map<string, string[]> {
  const ref = reference.graph;
  const act = variant.graph;
  const out = new Map<string, string[]>();
  if (!ref || !act) return out;
  const actNodes = new Map(act.node.filter((n) => n.output[0]).map((n) => [n.output[0]!, n]));
  const refInit = new Map(ref.initializer.map((t) => [t.name, t]));
  const actInit = new Map(act.initializer.map((t) => [t.name, t]));
  for (const n of ref.node) {
    const key = n.output[0];
    if (!key) continue;
    const m = actNodes.get(key);
    if (!m) continue;
    const diffs: string[] = [];
    if (n.opType !== m.opType || n.domain !== m.domain) diffs.push(`op ${n.opType} → ${m.opType}`);
    const refAttrs = new Map(n.attribute.map((a) => [a.name, canonical(a)]));
    const actAttrs = new Map(m.attribute.map((a) => [a.name, canonical(a)]));
    for (const name of new Set([...refAttrs.keys(), ...actAttrs.keys()])) {
      if (refAttrs.get(name) !== actAttrs.get(name)) diffs.push(`attribute ${name}`);
    }
    const reads = new Set([...n.input, ...m.input].filter((x) => x !== ''));
    if (n.input.join('\u0000') !== m.input.join('\u0000'))
      diffs.push(`inputs (${n.input.join(', ')}) → (${m.input.join(', ')})`);
    for (const name of reads) {
      const a = refInit.get(name);
      const b = actInit.get(name);
      if (!a && !b) continue;
      if (!a || !b) {
        diffs.push(`initializer ${name} only in the ${a ? 'reference' : 'variant'}`);
        continue;
      }
      const d = initializerDifference(a, b);
      if (d) diffs.push(`initializer ${name} (${d})`);
    }
    if (diffs.length > 0) out.set(key, diffs);
  }
  return out;
}

type TensorProto = NonNullable<ModelProto['graph']>['initializer'][number];

function initializerDifference(a: TensorProto, b: TensorProto): string | undefined {
  let x: HostTensor;
  let y: HostTensor;
  try {
    x = tensorFromProto(a);
    y = tensorFromProto(b);
  } catch (e) {
    // External or unsupported tensors: compare the encoded messages instead of values.
    return canonical(a) === canonical(b) ? undefined : `differs (${describeError(e)})`;
  }
  if (x.dtype !== y.dtype) return `dtype ${x.dtype} → ${y.dtype}`;
  if (x.dims.join(',') !== y.dims.join(',')) return `dims [${x.dims.join(',')}] → [${y.dims.join(',')}]`;
  let changed = 0;
  let maxAbs = 0;
  const xs = x.data as ArrayLike<number | bigint | string>;
  const ys = y.data as ArrayLike<number | bigint | string>;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] === ys[i] || (Number.isNaN(xs[i]) && Number.isNaN(ys[i]))) continue;
    changed++;
    if (typeof xs[i] === 'number' && typeof ys[i] === 'number')
      maxAbs = Math.max(maxAbs, Math.abs((xs[i] as number) - (ys[i] as number)));
  }
  return changed === 0
    ? undefined
    : `${changed}/${xs.length} value(s) differ${maxAbs > 0 ? `, max abs ${maxAbs.toPrecision(3)}` : ''}`;
}

/** A stable text form of a protobuf message (bigints and bytes included) for equality checks. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return Buffer.from(x).toString('base64');
    if (x && typeof x === 'object' && '$typeName' in x) {
      const { $typeName: _t, $unknown: _u, ...rest } = x as Record<string, unknown>;
      return rest;
    }
    return x;
  });
}
