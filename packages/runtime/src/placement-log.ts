import type { ExecutionPlacement } from '@crossrt/core';

/**
 * Parse onnxruntime's verbose "Node placements" block (session_state.cc, VerifyEachNodeIsAssignedToAnEp):
 *   Node placements
 *    All nodes placed on [CPUExecutionProvider]. Number of nodes: 12
 * or, when several EPs share the graph:
 *    Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 10
 *     Conv (conv1)
 *    Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2
 *     Shape (shape_0)
 * Returns undefined when the log holds no placement block. Nodes on any EP other than `primaryEp`
 * are listed as fallback nodes.
 */
export function parsePlacementLog(lines: readonly string[], primaryEp: string): ExecutionPlacement | undefined {
  const start = lines.findIndex((l) => /\bNode placements\b/.test(l));
  if (start < 0) return undefined;
  const providers: { ep: string; nodes: number }[] = [];
  const fallbackNodes: { node: string; opType?: string; ep: string }[] = [];
  let current: string | undefined;
  for (const line of lines.slice(start + 1)) {
    const body = line.replace(/^.*?VerifyEachNodeIsAssignedToAnEp\]/, '');
    const header = /(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(body);
    if (header) {
      current = header[1]!;
      providers.push({ ep: current, nodes: Number(header[2]) });
      continue;
    }
    const node = /^\s{2,}(\S+) \((.*)\)\s*$/.exec(body);
    if (node && current && body !== line) {
      if (current !== primaryEp) fallbackNodes.push({ node: node[2]!, opType: node[1]!, ep: current });
      continue;
    }
    if (body === line || !/^\s/.test(body)) break; // end of the block
  }
  return providers.length > 0 ? { source: 'verbose-log', providers, fallbackNodes } : undefined;
}
