import type { ExecutionPlacement } from '@crossrt/core';
import type { PlacementLog } from '@crossrt/runtime';
import type { ClassifiedNode, GraphClasses, PlacementClass } from './placement-classes.js';

type FallbackNode = ExecutionPlacement['fallbackNodes'][number];
type ClassBy = NonNullable<FallbackNode['classBy']>;

/** Copies between host and device that GPU EPs insert: neither shape nor compute work. */
export const COPY_OPS: ReadonlySet<string> = new Set(['MemcpyFromHost', 'MemcpyToHost']);
const CPU_EP = /^CPU/i;
/** ORT's suffix for nodes its optimizers re-create (`…/Conv_token_1` is the NHWC copy of `…/Conv`). */
const ORT_COPY_SUFFIX = /_token_\d+$/;

interface NodeClass {
  readonly class: PlacementClass;
  readonly classBy: ClassBy;
  /** The model nodes it stands for (none when it is ORT's own). */
  readonly matched: readonly ClassifiedNode[];
}

/**
 * One listed node's class. Onnxruntime lists the nodes of its optimized graph: most keep the model's
 * names, re-created ones carry `_token_N`, and nodes its optimizers make from nothing (the transpose
 * optimizer's Gather of a Shape vector) have names of their own. For those the log decides:
 * - ORT's GetCpuPreferredNodes moved it to the CPU as shape work → shape;
 * - a GPU EP refused it although the same EP ran that op type elsewhere in the session: its kernels
 *   exist, so the refusal was about the tensor type — the WebGPU EPs run float32/float16 kernels, so
 *   the tensor is an integer (or float64) one, which is shape bookkeeping in ORT's own graphs → shape.
 *   That inference is only ever used for nodes the model does not have.
 * Anything else is `unmatched` and counted as compute: what cannot be shown to be shape work is never
 * excused.
 */
function classify(
  node: string,
  opType: string,
  graph: GraphClasses | undefined,
  evidence: { cpuPreferred: ReadonlySet<string>; refused: ReadonlySet<string>; gpuOps: ReadonlySet<string> },
): NodeClass {
  // The name is the model's node (ORT keeps names through layout and type rewrites); a `_token_N`
  // copy must also keep the op type to count as the node it copies.
  let matched = node === '' ? [] : (graph?.byName.get(node) ?? []);
  if (matched.length === 0 && ORT_COPY_SUFFIX.test(node))
    matched = (graph?.byName.get(node.replace(ORT_COPY_SUFFIX, '')) ?? []).filter((c) => c.opType === opType);
  if (matched.length > 0)
    return { class: matched.every((c) => c.class === 'shape') ? 'shape' : 'compute', classBy: 'graph', matched };
  if (evidence.cpuPreferred.has(node)) return { class: 'shape', classBy: 'log', matched };
  if (evidence.refused.has(node) && evidence.gpuOps.has(opType)) return { class: 'shape', classBy: 'log', matched };
  return { class: 'compute', classBy: 'unmatched', matched };
}

/**
 * The placement a log shows, with each EP's nodes split into shape/control and compute work and the
 * share of the model's weight bytes (initializers and Constant tensors) its nodes read; the CPU
 * nodes of a GPU target are named with their class. `graph` is the model's classification
 * (undefined when the model could not be read: every node is then judged from the log alone).
 */
export function splitPlacement(log: PlacementLog, graph: GraphClasses | undefined): ExecutionPlacement {
  const gpuOps = new Set(log.listed.filter((l) => !CPU_EP.test(l.ep)).flatMap((l) => l.nodes.map((n) => n.opType)));
  const evidence = { cpuPreferred: log.cpuPreferred, refused: new Set(log.refused.map((r) => r.node)), gpuOps };
  const classes = new Map<string, NodeClass>();
  const classOf = (node: string, opType: string) => {
    const key = `${opType}\u0000${node}`;
    let c = classes.get(key);
    if (!c) classes.set(key, (c = classify(node, opType, graph, evidence)));
    return c;
  };
  const providers = log.placement.providers.map((p, i) => {
    const listed = log.listed[i];
    if (!listed || listed.ep !== p.ep) return p;
    // "All nodes placed on [X]" names none: every node of the model ran there.
    if (listed.all) {
      if (!graph) return p;
      const shapeNodes = graph.nodes.filter((n) => n.class === 'shape').length;
      return { ...p, shapeNodes, computeNodes: graph.nodes.length - shapeNodes, weightBytes: graph.totalBytes };
    }
    let shapeNodes = 0;
    let computeNodes = 0;
    const weights = new Set<string>();
    for (const n of listed.nodes) {
      if (COPY_OPS.has(n.opType)) continue;
      const c = classOf(n.node, n.opType);
      if (c.class === 'shape') shapeNodes++;
      else computeNodes++;
      for (const m of c.matched) for (const w of m.weights) weights.add(w);
    }
    const weightBytes = [...weights].reduce((sum, w) => sum + (graph?.tensorBytes.get(w) ?? 0), 0);
    return { ...p, shapeNodes, computeNodes, ...(graph ? { weightBytes } : {}) };
  });
  const fallbackNodes = log.placement.fallbackNodes.map((f): FallbackNode => {
    if (COPY_OPS.has(f.opType ?? '')) return f;
    const c = classOf(f.node.startsWith('(unnamed ') ? '' : f.node, f.opType ?? '');
    return { ...f, class: c.class, classBy: c.classBy };
  });
  return { ...log.placement, providers, fallbackNodes, ...(graph ? { weightBytes: graph.totalBytes } : {}) };
}
