import { bytesPerElement, dtypeFromOnnx, onnxElemTypeName } from '@crossrt/core/base';
import type { GraphProto, NodeProto, ValueInfoProto } from 'onnx-buf';
import { inferElemTypes } from './elem-type-inference.js';
import { declaredTensorBytes, isExternalTensor } from './external-data.js';
import { opsetMap, type LoadedModel } from './onnx-file.js';
import { describeType, type ValueSignature } from './signature.js';

/** Domains onnxruntime ships kernels for; anything else needs a custom-op library. */
export const KNOWN_DOMAINS: ReadonlySet<string> = new Set([
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'com.microsoft.dml',
  'com.ms.internal.nhwc',
  'org.pytorch.aten',
]);

export const DEFAULT_MEMORY_BUDGET_BYTES = 2 * 1024 ** 3;

export type HygieneKind =
  'memory-budget' | 'input-shadows-initializer' | 'unknown-domain' | 'undeclared-domain' | 'old-ir' | 'old-opset';

export interface HygieneWarning {
  readonly kind: HygieneKind;
  readonly subject: string;
  readonly message: string;
}

export interface IoDescription extends ValueSignature {
  /** Set when a graph input has an initializer of the same name (a default the caller may override). */
  readonly shadowsInitializer?: boolean;
}

export interface OpCount {
  readonly domain: string;
  readonly opType: string;
  readonly count: number;
}

export interface ModelInspection {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly irVersion: number;
  readonly opsets: Record<string, number>;
  readonly producer: { readonly name: string; readonly version: string };
  readonly graphName: string;
  readonly inputs: readonly IoDescription[];
  readonly outputs: readonly IoDescription[];
  /** Node count of the main graph; `nodesIncludingSubgraphs` adds If/Loop/Scan bodies. */
  readonly nodes: number;
  readonly nodesIncludingSubgraphs: number;
  readonly opCounts: readonly OpCount[];
  /** Domains other than ai.onnx that nodes use (custom ops, contrib ops, ML ops). */
  readonly customDomains: readonly string[];
  readonly localFunctions: readonly string[];
  readonly initializers: { readonly count: number; readonly bytes: number; readonly externalBytes: number };
  /** Tensors held by Constant nodes (main graph and subgraphs): exporters often put weights there. */
  readonly constants: { readonly count: number; readonly bytes: number };
  readonly externalFiles: readonly { readonly location: string; readonly tensors: number; readonly bytes: number }[];
  readonly warnings: readonly HygieneWarning[];
  /** Intermediate tensors with their element type (when `tensors` was asked for). */
  readonly tensors?: readonly { readonly name: string; readonly elemType: string }[];
}

export interface InspectOptions {
  readonly memoryBudgetBytes?: number;
  readonly listTensors?: boolean;
}

const domainName = (d: string) => (d === '' ? 'ai.onnx' : d);

function* allNodes(g: GraphProto): Generator<NodeProto> {
  for (const n of g.node) {
    yield n;
    for (const a of n.attribute) for (const sub of [...(a.g ? [a.g] : []), ...a.graphs]) yield* allNodes(sub);
  }
}

/** Everything `crossrt inspect` prints, as data. Pure over the loaded model (no file reads). */
export function inspectModel(model: LoadedModel, options: InspectOptions = {}): ModelInspection {
  const proto = model.proto;
  const g = proto.graph!;
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const irVersion = Number(proto.irVersion);
  const opsets = opsetMap(proto);
  const warnings: HygieneWarning[] = [];

  const initializerNames = new Set(g.initializer.map((t) => t.name));
  const describe = (vi: ValueInfoProto): IoDescription => describeType(vi.name, vi.type);
  const inputs = g.input.map((vi): IoDescription => {
    const d = describe(vi);
    return initializerNames.has(vi.name) ? { ...d, shadowsInitializer: true } : d;
  });
  // Before IR 4 every initializer had to be listed as an input: not a hygiene issue there.
  if (irVersion >= 4) {
    for (const i of inputs.filter((x) => x.shadowsInitializer)) {
      warnings.push({
        kind: 'input-shadows-initializer',
        subject: i.name,
        message: `graph input "${i.name}" shadows an initializer: runtimes may fold it as a constant or require it fed; drop it from the inputs unless it is meant to be overridable`,
      });
    }
  }
  const outputs = g.output.map(describe);

  const counts = new Map<string, OpCount>();
  const constants = { count: 0, bytes: 0 };
  let nodesIncludingSubgraphs = 0;
  const usedDomains = new Set<string>();
  for (const n of allNodes(g)) {
    nodesIncludingSubgraphs++;
    const domain = domainName(n.domain);
    if (n.opType === 'Constant' && domain === 'ai.onnx') {
      const t = n.attribute.find((a) => a.t)?.t;
      constants.count++;
      if (t) constants.bytes += t.rawData.length > 0 ? t.rawData.length : declaredTensorBytes(t);
    }
    usedDomains.add(domain);
    const key = `${domain}\u0000${n.opType}`;
    const c = counts.get(key);
    counts.set(key, { domain, opType: n.opType, count: (c?.count ?? 0) + 1 });
  }
  const opCounts = [...counts.values()].sort(
    (a, b) => b.count - a.count || a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType),
  );
  const localFunctionDomains = new Set(proto.functions.map((f) => domainName(f.domain)));
  const localFunctions = proto.functions.map((f) => `${domainName(f.domain)}.${f.name}`);
  const customDomains = [...usedDomains].filter((d) => d !== 'ai.onnx').sort();
  for (const d of customDomains) {
    if (!(d in opsets))
      warnings.push({
        kind: 'undeclared-domain',
        subject: d,
        message: `nodes use domain "${d}" but the model imports no opset for it`,
      });
    if (!KNOWN_DOMAINS.has(d) && !localFunctionDomains.has(d)) {
      warnings.push({
        kind: 'unknown-domain',
        subject: d,
        message: `domain "${d}" is not one onnxruntime ships kernels for: loading needs a custom-op library`,
      });
    }
  }
  if (irVersion < 3)
    warnings.push({
      kind: 'old-ir',
      subject: `ir ${irVersion}`,
      message: `IR version ${irVersion} predates IR 3, the oldest onnxruntime loads`,
    });
  const onnxOpset = opsets['ai.onnx'];
  if (onnxOpset !== undefined && onnxOpset < 7)
    warnings.push({
      kind: 'old-opset',
      subject: `opset ${onnxOpset}`,
      message: `ai.onnx opset ${onnxOpset} is below 7: onnxruntime has no kernels for it`,
    });

  // Declared dims × element size; symbolic or unknown dims count as 1, so the figure is a lower bound.
  for (const vi of [...g.input, ...g.output, ...g.valueInfo]) {
    const d = describeType(vi.name, vi.type);
    if (d.kind !== 'tensor' || !d.dims || !d.dtype || d.dtype === 'string') continue;
    const bytes = d.dims.reduce<number>((p, x) => p * (typeof x === 'number' ? x : 1), 1) * bytesPerElement(d.dtype);
    if (bytes > budget) {
      warnings.push({
        kind: 'memory-budget',
        subject: vi.name,
        message: `"${vi.name}" is declared ${d.elemTypeName}[${d.dims.map((x) => x ?? '?').join(',')}]: at least ${formatBytes(bytes)}, over the ${formatBytes(budget)} budget`,
      });
    }
  }

  let initBytes = 0;
  let externalBytes = 0;
  const files = new Map<string, { location: string; tensors: number; bytes: number }>();
  for (const t of g.initializer) {
    const b = isExternalTensor(t) || t.rawData.length === 0 ? declaredTensorBytes(t) : t.rawData.length;
    initBytes += b;
    if (b > budget)
      warnings.push({
        kind: 'memory-budget',
        subject: t.name,
        message: `initializer "${t.name}" holds ${formatBytes(b)}, over the ${formatBytes(budget)} budget`,
      });
    if (isExternalTensor(t)) externalBytes += b;
  }
  for (const ref of model.externalData) {
    const f = files.get(ref.location) ?? { location: ref.location, tensors: 0, bytes: 0 };
    files.set(ref.location, { ...f, tensors: f.tensors + 1, bytes: f.bytes + ref.length });
  }

  const result: ModelInspection = {
    path: model.path,
    bytes: model.size,
    sha256: model.sha256,
    irVersion,
    opsets,
    producer: { name: proto.producerName, version: proto.producerVersion },
    graphName: g.name,
    inputs,
    outputs,
    nodes: g.node.length,
    nodesIncludingSubgraphs,
    opCounts,
    customDomains,
    localFunctions,
    initializers: { count: g.initializer.length, bytes: initBytes, externalBytes },
    constants,
    externalFiles: [...files.values()],
    warnings,
  };
  if (!options.listTensors) return result;
  const types = inferElemTypes(g);
  const tensors = g.node
    .flatMap((n) => n.output)
    .filter((o) => o !== '')
    .map((name) => {
      const t = types.get(name);
      return { name, elemType: t === undefined ? '?' : (dtypeFromOnnx(t) ?? onnxElemTypeName(t)) };
    });
  return { ...result, tensors };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
