import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { onnxElemType, type DType, type HostTensor } from '@crossrt/core/base';
import type { DeclaredDim } from './signature.js';
import { tensorToProto } from './tensor-proto.js';

/** Minimal, typed ModelProto construction for fixtures and graph surgery; not a general exporter. */
export interface ValueSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly DeclaredDim[];
}
export type AttrValue =
  | number
  | string
  | readonly number[]
  | HostTensor
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly graph: SubgraphSpec };
/** A body graph for If/Loop/Scan attributes (it may read tensors of the graphs around it by name). */
export interface SubgraphSpec {
  readonly name?: string;
  readonly inputs?: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: Readonly<Record<string, HostTensor>>;
}
export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}
export interface GraphSpec {
  readonly name?: string;
  readonly opset: number;
  readonly irVersion?: number;
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: Readonly<Record<string, HostTensor>>;
  readonly producer?: string;
}

export function valueInfo(v: ValueSpec): ValueInfoProto {
  const dim = v.dims.map((d) =>
    create(TensorShapeProto_DimensionSchema, {
      value:
        d === null
          ? { case: undefined }
          : typeof d === 'number'
            ? { case: 'dimValue', value: BigInt(d) }
            : { case: 'dimParam', value: d },
    }),
  );
  return create(ValueInfoProtoSchema, {
    name: v.name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: onnxElemType(v.dtype),
          shape: create(TensorShapeProtoSchema, { dim }),
        }),
      },
    }),
  });
}

function attribute(name: string, v: AttrValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (typeof v === 'number') {
    return Number.isInteger(v)
      ? create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(v) })
      : create(AttributeProtoSchema, { name, type: T.FLOAT, f: v });
  }
  if (typeof v === 'string')
    return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(v) });
  if ('float' in v) return create(AttributeProtoSchema, { name, type: T.FLOAT, f: v.float });
  if ('floats' in v) return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: [...v.floats] });
  if ('graph' in v)
    return create(AttributeProtoSchema, {
      name,
      type: T.GRAPH,
      g: graphProto({ ...v.graph, name: v.graph.name ?? name }),
    });
  if ('dtype' in v) return create(AttributeProtoSchema, { name, type: T.TENSOR, t: tensorToProto(v) });
  return create(AttributeProtoSchema, { name, type: T.INTS, ints: (v as readonly number[]).map((x) => BigInt(x)) });
}

function graphProto(spec: SubgraphSpec & { readonly name: string }): GraphProto {
  return create(GraphProtoSchema, {
    name: spec.name,
    input: (spec.inputs ?? []).map(valueInfo),
    output: spec.outputs.map(valueInfo),
    initializer: Object.entries(spec.initializers ?? {}).map(([name, t]) => tensorToProto(t, name)),
    node: spec.nodes.map((n, i) =>
      create(NodeProtoSchema, {
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      }),
    ),
  });
}

export function buildModel(spec: GraphSpec): ModelProto {
  const graph = graphProto({ ...spec, name: spec.name ?? 'crossrt_fixture' });
  return create(ModelProtoSchema, {
    irVersion: BigInt(spec.irVersion ?? 8),
    producerName: spec.producer ?? 'crossrt-fixtures',
    producerVersion: '1',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(spec.opset) })],
    graph,
  });
}
