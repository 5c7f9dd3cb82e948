import type { ModelProto } from '@crossrt/model';

/** What the graph says about an input beyond its signature. */
export interface InputModelFacts {
  /** Rows of the embedding table this input indexes (Gather axis 0 over a [vocab, dim] constant). */
  readonly vocabularySize?: number;
  /** Where the vocabulary size was read, for the report. */
  readonly vocabularySource?: string;
}

/** Ops that pass indices through unchanged in value (shape-only or type-only). */
const INDEX_PASSTHROUGH = new Set(['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity', 'Expand']);
/** Ops between a stored table and the Gather that keep its row count. */
const TABLE_PASSTHROUGH = new Set(['DequantizeLinear', 'Cast', 'Identity']);

/**
 * Find embedding lookups: a Gather (axis 0) whose indices come — directly or through shape/type-only
 * ops — from a graph input, and whose data is a rank-2 initializer or Constant (possibly through
 * DequantizeLinear/Cast). The number of rows is the vocabulary. Several lookups of one input take the
 * smallest table. Only the main graph is searched.
 */
export function inspectInputs(model: ModelProto): ReadonlyMap<string, InputModelFacts> {
  const g = model.graph;
  const facts = new Map<string, InputModelFacts>();
  if (!g) return facts;
  const inputs = new Set(g.input.map((i) => i.name));
  const producer = new Map<string, (typeof g.node)[number]>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const constRows = new Map<string, { rows: number; name: string }>();
  for (const t of g.initializer)
    if (t.dims.length === 2) constRows.set(t.name, { rows: Number(t.dims[0]), name: t.name });
  for (const n of g.node) {
    if (n.opType !== 'Constant' || n.domain !== '') continue;
    const v = n.attribute.find((a) => a.name === 'value')?.t;
    if (v && v.dims.length === 2 && n.output[0])
      constRows.set(n.output[0], { rows: Number(v.dims[0]), name: n.output[0] });
  }
  const traceInput = (name: string): string | undefined => {
    for (let hops = 0; hops < 8; hops++) {
      if (inputs.has(name)) return name;
      const p = producer.get(name);
      if (!p || !INDEX_PASSTHROUGH.has(p.opType) || !p.input[0]) return undefined;
      name = p.input[0];
    }
    return undefined;
  };
  const traceTable = (name: string): { rows: number; name: string } | undefined => {
    for (let hops = 0; hops < 4; hops++) {
      const c = constRows.get(name);
      if (c) return c;
      const p = producer.get(name);
      if (!p || !TABLE_PASSTHROUGH.has(p.opType) || !p.input[0]) return undefined;
      name = p.input[0];
    }
    return undefined;
  };
  for (const n of g.node) {
    if (n.opType !== 'Gather' || n.domain !== '' || n.input.length < 2) continue;
    const axis = n.attribute.find((a) => a.name === 'axis');
    if (axis && Number(axis.i) !== 0) continue;
    const input = traceInput(n.input[1]!);
    const table = input ? traceTable(n.input[0]!) : undefined;
    if (!input || !table || table.rows <= 0) continue;
    const prev = facts.get(input);
    if (!prev?.vocabularySize || table.rows < prev.vocabularySize) {
      facts.set(input, {
        vocabularySize: table.rows,
        vocabularySource: `Gather "${n.name || n.output[0]}" over ${table.name} [${table.rows}, …]`,
      });
    }
  }
  return facts;
}
