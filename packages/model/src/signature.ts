import { dtypeFromOnnx, onnxElemTypeName, type DType } from '@crossrt/core/base';
import type { ModelProto, TypeProto, ValueInfoProto } from 'onnx-buf';

/** A declared dim: a fixed size, a symbolic name, or unknown (neither given). */
export type DeclaredDim = number | string | null;

export type ValueKind = 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse-tensor' | 'unknown';

export interface ValueSignature {
  readonly name: string;
  readonly kind: ValueKind;
  /** Set for tensors whose element type crossrt carries. */
  readonly dtype?: DType;
  /** ONNX element type name, also for types crossrt cannot carry (e.g. FLOAT8E4M3FN). */
  readonly elemTypeName?: string;
  /** Undefined when the rank itself is unknown. */
  readonly dims?: readonly DeclaredDim[];
}

export interface ModelSignature {
  readonly inputs: readonly ValueSignature[];
  readonly outputs: readonly ValueSignature[];
}

export function describeType(name: string, type: TypeProto | undefined): ValueSignature {
  const v = type?.value;
  switch (v?.case) {
    case 'tensorType': {
      const dtype = dtypeFromOnnx(v.value.elemType);
      const dims = v.value.shape?.dim.map((d): DeclaredDim => {
        if (d.value.case === 'dimValue') return Number(d.value.value);
        if (d.value.case === 'dimParam' && d.value.value !== '') return d.value.value;
        return null;
      });
      return {
        name,
        kind: 'tensor',
        elemTypeName: onnxElemTypeName(v.value.elemType),
        ...(dtype ? { dtype } : {}),
        ...(dims ? { dims } : {}),
      };
    }
    case 'sequenceType':
      return { name, kind: 'sequence' };
    case 'mapType':
      return { name, kind: 'map' };
    case 'optionalType':
      return { name, kind: 'optional' };
    case 'sparseTensorType':
      return { name, kind: 'sparse-tensor' };
    default:
      return { name, kind: 'unknown' };
  }
}

/**
 * Graph inputs that need feeding. Before IR 4, initializers had to be listed as graph inputs too;
 * those are excluded because the model supplies them.
 */
export function modelSignature(proto: ModelProto): ModelSignature {
  const g = proto.graph;
  if (!g) return { inputs: [], outputs: [] };
  const initialized = new Set(g.initializer.map((t) => t.name));
  const describe = (vi: ValueInfoProto) => describeType(vi.name, vi.type);
  return {
    inputs: g.input.filter((vi) => !initialized.has(vi.name)).map(describe),
    outputs: g.output.map(describe),
  };
}

export function formatSignatureValue(v: ValueSignature): string {
  const dims = v.dims ? `[${v.dims.map((d) => (d === null ? '?' : String(d))).join(',')}]` : '[rank?]';
  return `${v.name}: ${v.kind === 'tensor' ? (v.elemTypeName ?? '?') : v.kind}${v.kind === 'tensor' ? dims : ''}`;
}
