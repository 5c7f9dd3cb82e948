import { createHash } from 'node:crypto';
import {
  bytesPerElement,
  CrossrtError,
  elementCount,
  type DimResolution,
  type HeuristicSettings,
  type HostTensor,
  type InputRecord,
  type TensorData,
  type ValuePlan,
} from '@crossrt/core';
import type { ValueSignature } from '@crossrt/model';
import { resolveShapes, type DimOptions } from './dim-resolution.js';
import { fillTensor } from './fill-values.js';
import type { InputModelFacts } from './model-facts.js';
import { SeededStream } from './seeded-stream.js';
import {
  enabledHeuristics,
  planFromHeuristics,
  resolveHeuristicSettings,
  type SemanticHeuristic,
} from './semantic-heuristics.js';
import { describeSpecialValues } from './special-values.js';
import { defaultPlan, describePlan, type PlannedInput } from './value-plan.js';

/** A tensor read from a file for one input, with where it came from. */
export interface FileInput {
  readonly tensor: HostTensor;
  /** e.g. `file:inputs.npz[input_ids]`. */
  readonly source: string;
}

export interface GenerateOptions extends DimOptions {
  readonly seed: number;
  /** Per-input plans that override heuristics and defaults. */
  readonly plans?: Readonly<Record<string, ValuePlan>>;
  /** Heuristics to try (default: all, minus `heuristicSettings.disabled`). */
  readonly heuristics?: readonly SemanticHeuristic[];
  readonly heuristicSettings?: HeuristicSettings;
  /** Facts read from the graph (embedding vocabularies), see `inspectInputs`. */
  readonly modelFacts?: ReadonlyMap<string, InputModelFacts>;
  /** Input sets per run (default 1). */
  readonly samples?: number;
  /** Add the special-values set after the samples. */
  readonly specialValues?: boolean;
  /** Inputs fed from files: used as-is in every set; their dims bind symbolic dims. */
  readonly files?: ReadonlyMap<string, FileInput>;
  /** Refuse to allocate more than this many bytes of inputs per set. Default 2 GiB. */
  readonly maxBytes?: number;
}

export interface InputSet {
  /** `sample0`, `sample1`, …, `special-values`. */
  readonly name: string;
  readonly tensors: ReadonlyMap<string, HostTensor>;
  readonly records: readonly InputRecord[];
}

export interface GeneratedInputs {
  /** The first set (sample 0), kept for callers that feed one set. */
  readonly tensors: ReadonlyMap<string, HostTensor>;
  readonly records: readonly InputRecord[];
  readonly dims: readonly DimResolution[];
  readonly sets: readonly InputSet[];
}

export const DEFAULT_MAX_INPUT_BYTES = 2 * 1024 ** 3;
export const SPECIAL_VALUES_SET = 'special-values';

export function generateInputs(inputs: readonly ValueSignature[], options: GenerateOptions): GeneratedInputs {
  const files = options.files ?? new Map<string, FileInput>();
  const fileShapes = Object.fromEntries([...files].map(([name, f]) => [name, [...f.tensor.dims]]));
  const resolved = resolveShapes(inputs, { ...options, shapes: { ...options.shapes, ...fileShapes } });
  const shapes = resolved.shapes;
  const dims = resolved.resolutions.map((r): DimResolution =>
    files.has(r.input) && r.source === 'shape-flag' ? { ...r, source: 'file', note: files.get(r.input)!.source } : r,
  );
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let total = 0;
  for (const input of inputs) {
    if (input.kind !== 'tensor' || !input.dtype) {
      throw new CrossrtError(
        'MODEL_UNSUPPORTED_IO',
        `input "${input.name}" is a ${input.kind === 'tensor' ? `${input.elemTypeName} tensor` : input.kind}; crossrt can only generate tensors of supported dtypes`,
        'feed a model whose inputs are plain tensors',
      );
    }
    total += elementCount(shapes.get(input.name)!) * Math.max(1, bytesPerElement(input.dtype));
  }
  if (total > maxBytes) {
    throw new CrossrtError(
      'INPUT_TOO_LARGE',
      `inputs would need ${(total / 1024 ** 3).toFixed(2)} GiB (limit ${(maxBytes / 1024 ** 3).toFixed(2)} GiB)`,
      'set smaller symbolic dims with --dim/--shape',
    );
  }
  const settings = resolveHeuristicSettings(options.heuristicSettings);
  const heuristics = options.heuristics ?? enabledHeuristics(options.heuristicSettings?.disabled);
  const planned = new Map<string, PlannedInput & { fromDefault: boolean }>();
  for (const input of inputs) {
    const dtype = input.dtype!;
    const override = options.plans?.[input.name];
    const facts = {
      name: input.name,
      dtype,
      dims: shapes.get(input.name)!,
      ...(input.dims ? { declaredDims: input.dims } : {}),
      ...options.modelFacts?.get(input.name),
    };
    const fromHeuristic = override ? undefined : planFromHeuristics(facts, heuristics, settings);
    planned.set(
      input.name,
      override
        ? { plan: override, fromDefault: false }
        : fromHeuristic
          ? { ...fromHeuristic, fromDefault: false }
          : { plan: defaultPlan(dtype), fromDefault: true },
    );
  }
  const samples = options.samples ?? 1;
  if (!Number.isSafeInteger(samples) || samples < 1)
    throw new CrossrtError('USAGE', `--samples must be a positive integer, got ${samples}`);
  const sets: InputSet[] = [];
  const setNames = [
    ...Array.from({ length: samples }, (_, k) => `sample${k}`),
    ...(options.specialValues ? [SPECIAL_VALUES_SET] : []),
  ];
  for (const [k, setName] of setNames.entries()) {
    const special = setName === SPECIAL_VALUES_SET;
    const tensors = new Map<string, HostTensor>();
    const records: InputRecord[] = [];
    for (const input of inputs) {
      const dtype = input.dtype!;
      const file = files.get(input.name);
      const p = planned.get(input.name)!;
      let tensor: HostTensor;
      let generator: string;
      if (file) {
        tensor = file.tensor;
        generator = file.source;
      } else {
        // Specials go only into inputs on default plans: a heuristic or a user plan means the values carry meaning.
        const withSpecials = special && p.fromDefault;
        const stream = new SeededStream(options.seed, input.name, special ? samples : k);
        const dimsOf = shapes.get(input.name)!;
        tensor = { dtype, dims: dimsOf, data: fillTensor(dtype, dimsOf, p.plan, stream, withSpecials) };
        generator = withSpecials
          ? `${describeSpecialValues(dtype)} + ${describePlan(p.plan, dtype)}`
          : describePlan(p.plan, dtype);
      }
      tensors.set(input.name, tensor);
      records.push({
        name: input.name,
        dtype,
        dims: [...tensor.dims],
        generator,
        ...(p.heuristic && !file ? { heuristic: p.heuristic } : {}),
        sha256: tensorSha256(tensor),
        ...(setNames.length > 1 ? { set: setName } : {}),
      });
    }
    sets.push({ name: setName, tensors, records });
  }
  return { tensors: sets[0]!.tensors, records: sets.flatMap((s) => s.records), dims, sets };
}

export function tensorSha256(t: HostTensor): string {
  const h = createHash('sha256').update(`${t.dtype}[${t.dims.join(',')}]`);
  if (t.dtype === 'string') for (const s of t.data as string[]) h.update(`${s.length}:${s}`);
  else {
    const d = t.data as Exclude<TensorData, string[]>;
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest('hex');
}
