import type { ExecutionPlacement } from '@crossrt/core';

type FallbackNode = ExecutionPlacement['fallbackNodes'][number];

/**
 * Parse onnxruntime's verbose "Node placements" block (session_state.cc, VerifyEachNodeIsAssignedToAnEp).
 * The same text comes from onnxruntime-node's stderr and from onnxruntime-web's browser console:
 *   Node placements
 *    All nodes placed on [CPUExecutionProvider]. Number of nodes: 12
 * or, when several EPs share the graph (unnamed nodes print as `Loop ()`):
 *    Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2
 *     Loop ()
 *     Identity ()
 *    Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 11
 *     Sub ()
 * A block with no lines after the header means the optimizer folded the whole graph into constants.
 * GPU EPs also log each node they refuse ("webgpu kernel not found in registries for Op type: Upsample
 * node name: up0"); those lines name the fallback nodes when the block only says "All nodes placed on
 * [CPUExecutionProvider]". Only the first block is read: it is the main graph's (it lists the nodes of
 * its subgraphs too).
 * Returns undefined when the log holds no placement block.
 */
export function parsePlacementLog(lines: readonly string[], primaryEp: string): ExecutionPlacement | undefined {
  return readPlacementLog(lines, primaryEp)?.placement;
}

/** Everything the log says about one session's placement, for classifying its nodes. */
export interface PlacementLog {
  /** What parsePlacementLog returns. */
  readonly placement: ExecutionPlacement;
  /**
   * Every EP of the block with the nodes it lists (op type, name; '' for unnamed nodes). `all`: the
   * one-line form "All nodes placed on [X]", which names no node.
   */
  readonly listed: readonly {
    readonly ep: string;
    readonly all: boolean;
    readonly nodes: readonly { readonly node: string; readonly opType: string }[];
  }[];
  /** Nodes ORT's GetCpuPreferredNodes moved to the CPU as shape work ("Force fallback to CPU execution for node: X"). */
  readonly cpuPreferred: ReadonlySet<string>;
  /** Nodes a GPU EP had no kernel for. */
  readonly refused: readonly { readonly node: string; readonly opType: string }[];
}

export function readPlacementLog(lines: readonly string[], primaryEp: string): PlacementLog | undefined {
  const start = lines.findIndex((l) => /\bNode placements\b/.test(l));
  if (start < 0) return undefined;
  const providers: { ep: string; nodes: number }[] = [];
  const listed: { ep: string; all: boolean; nodes: { node: string; opType: string }[] }[] = [];
  const fallback: FallbackNode[] = [];
  const unlistedEps: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const body = line.replace(/^.*?VerifyEachNodeIsAssignedToAnEp\]/, '');
    if (body === line) break; // a line from elsewhere ends the block
    const header = /(All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(body);
    if (header) {
      const ep = header[2]!;
      providers.push({ ep, nodes: Number(header[3]) });
      listed.push({ ep, all: header[1] === 'All nodes', nodes: [] });
      if (header[1] === 'All nodes' && ep !== primaryEp) unlistedEps.push(ep);
      continue;
    }
    const node = /^\s{2,}(\S+) \((.*)\)\s*$/.exec(body);
    const current = listed.at(-1);
    if (node && current) {
      current.nodes.push({ node: node[2]!, opType: node[1]! });
      if (current.ep !== primaryEp)
        fallback.push({ node: node[2] || `(unnamed ${node[1]})`, opType: node[1]!, ep: current.ep });
      continue;
    }
    break;
  }
  const refused = refusedNodes(lines);
  // "All nodes placed on [CPU...]" lists no names: the refusal lines before it do.
  const fromRefusals = unlistedEps.length > 0 ? refused.map((r) => ({ ...r, ep: unlistedEps[0]! })) : [];
  const cpuPreferred = new Set<string>();
  for (const l of lines) {
    const m = /Force fallback to CPU execution for node: (.*?) because/.exec(l);
    if (m) cpuPreferred.add(m[1]!);
  }
  return {
    placement: { source: 'verbose-log', providers, fallbackNodes: [...fallback, ...fromRefusals] },
    listed,
    cpuPreferred,
    refused,
  };
}

/** Nodes a GPU EP said it has no kernel for (onnxruntime-node's WebGPU EP and onnxruntime-web's JSEP). */
export function refusedNodes(lines: readonly string[]): { node: string; opType: string }[] {
  const out: { node: string; opType: string }[] = [];
  for (const line of lines) {
    const m = /kernel not found in registries for Op type: (\S+) node name: ?(.*?)\s*$/.exec(line);
    if (m) out.push({ node: m[2] || `(unnamed ${m[1]})`, opType: m[1]! });
  }
  return out;
}
