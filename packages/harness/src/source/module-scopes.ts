import type { ModelProto } from '@crossrt/model';
import type { TorchModuleCall } from '@crossrt/python-bridge';

/**
 * Source modules ↔ ONNX tensors, through the exporter's scope names. torch.onnx (≥ 1.13) names every
 * node after the module calls it ran in: `/layer1/layer1.0/conv1/Conv`, with `relu_1` for a second
 * call of the same module. A module call's scope is its parent's scope plus its own segment (the
 * bridge records both), so the nodes it exported are the ones whose names start with that scope.
 * Its output is what those nodes produce and something outside reads; its inputs, what they read
 * from outside. Pure functions: the run itself lives in torch-layerwise.ts.
 */

/** One module call placed on the ONNX graph. */
export interface ScopedCall {
  readonly index: number;
  readonly call: TorchModuleCall;
  /** `/layer1/layer1.0/conv1` (no trailing slash). */
  readonly scope: string;
  /** ONNX nodes named inside the scope (descendant calls' nodes included). */
  readonly nodes: number;
  /** Tensors the scope produces and something outside it reads (or graph outputs), in graph order. */
  readonly outputCandidates: readonly string[];
  /** Activations the scope reads from outside (graph inputs included; weights and constants not). */
  readonly inputCandidates: readonly string[];
  /** Calls the exporter folded into this one (no nodes of their own, fed by this call's output). */
  readonly fused: readonly number[];
  /** Set on a call folded into another one: the call its numbers are compared through. */
  readonly fusedInto?: number;
}

/** Scopes of every call: the parent's scope plus the call's segment. */
export function callScopes(calls: readonly TorchModuleCall[]): string[] {
  const scopes: string[] = [];
  calls.forEach((c, i) => {
    scopes[i] = `${c.parent >= 0 && c.parent < i ? scopes[c.parent] : ''}/${c.segment}`;
  });
  return scopes;
}

/**
 * Place each call on the graph. `sameTensor(a, b)` says whether two captured torch tensors are
 * identical (a call with no nodes whose input is exactly the previous call's output was folded into
 * it: a BatchNorm into the Conv before it, a Dropout into nothing).
 */
export function scopeCalls(
  proto: ModelProto,
  calls: readonly TorchModuleCall[],
  sameTensor: (a: string, b: string) => boolean,
): ScopedCall[] {
  const g = proto.graph;
  const nodes = g?.node ?? [];
  const initializers = new Set((g?.initializer ?? []).map((t) => t.name));
  const constants = new Set(nodes.filter((n) => n.opType === 'Constant').flatMap((n) => n.output));
  const graphOutputs = new Set((g?.output ?? []).map((o) => o.name));
  const scopes = callScopes(calls);
  // Every scope prefix of every node name, mapped to the node indices under it.
  const byScope = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    const parts = n.name.split('/');
    for (let k = 2; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('/');
      const list = byScope.get(prefix) ?? [];
      list.push(i);
      byScope.set(prefix, list);
    }
  });
  const readers = new Map<string, number[]>();
  nodes.forEach((n, i) => n.input.forEach((t) => t && (readers.get(t) ?? readers.set(t, []).get(t)!).push(i)));

  const placed = calls.map((call, index) => {
    const members = byScope.get(scopes[index]!) ?? [];
    const inside = new Set(members);
    const produced = new Set<string>();
    const outputs: string[] = [];
    const inputs: string[] = [];
    for (const i of members) {
      const n = nodes[i]!;
      for (const t of n.input) {
        if (!t || produced.has(t) || initializers.has(t) || constants.has(t) || inputs.includes(t)) continue;
        inputs.push(t);
      }
      if (n.opType === 'Constant') continue;
      for (const t of n.output) {
        if (!t) continue;
        produced.add(t);
        if (graphOutputs.has(t) || (readers.get(t) ?? []).some((r) => !inside.has(r))) outputs.push(t);
      }
    }
    // A tensor read before it is produced inside the scope is not an outside input (graph order is topological).
    return {
      index,
      call,
      scope: scopes[index]!,
      nodes: members.length,
      outputCandidates: outputs,
      inputCandidates: inputs.filter((t) => !produced.has(t)),
      fused: [] as number[],
    } as ScopedCall & { fused: number[]; fusedInto?: number };
  });

  // Folding: in completion order, a call without nodes whose (only) input is exactly the output of
  // the call completed just before it computes nothing of its own in the ONNX graph.
  const byOrder = [...placed].sort((a, b) => a.call.order - b.call.order);
  for (let k = 1; k < byOrder.length; k++) {
    const c = byOrder[k]!;
    if (c.nodes > 0 || c.call.inputs.length !== 1 || c.call.outputs.length !== 1) continue;
    const prev = byOrder[k - 1]!;
    const host = prev.fusedInto !== undefined ? placed[prev.fusedInto]! : prev;
    const prevOut = prev.call.outputs.length === 1 ? prev.call.outputs[0]! : undefined;
    if (host.nodes === 0 || !prevOut || !sameTensor(c.call.inputs[0]!, prevOut)) continue;
    c.fusedInto = host.index;
    host.fused.push(c.index);
  }
  return placed;
}

/** The torch tensors a placed call's ONNX outputs are to equal: those of the last call folded into it. */
export function comparedTorchOutputs(placed: readonly ScopedCall[], c: ScopedCall): readonly string[] {
  const last = c.fused.at(-1);
  return last === undefined ? c.call.outputs : placed[last]!.call.outputs;
}
