import { CrossrtError, type HeuristicSettings, type TolerancePolicy, type ValuePlan } from '@crossrt/core';
import {
  generateInputs,
  inspectInputs,
  loadInputFiles,
  PRNG_DESCRIPTION,
  SEMANTIC_HEURISTICS,
  type DimOptions,
  type GeneratedInputs,
  type InputFileSpec,
  type InputModelFacts,
} from '@crossrt/inputs';
import type { ModelProto, ValueSignature } from '@crossrt/model';
import type { DataLoaderHook } from './user-hooks.js';

/** How inputs are made beyond dims: the `inputs` part of the CLI flags and config file. */
export interface InputSettings {
  readonly samples?: number;
  readonly specialValues?: boolean;
  /** Per-input value plans (`--values`, `--range`, config `inputs.values`). */
  readonly plans?: Readonly<Record<string, ValuePlan>>;
  readonly heuristics?: HeuristicSettings;
  /** `--input` files. */
  readonly files?: readonly InputFileSpec[];
  /** `--data-loader`: the module yields the input sets (the inputs it leaves out are generated). */
  readonly dataLoader?: DataLoaderHook;
}

export function inputPlanRecord(s: InputSettings | undefined) {
  return { prng: PRNG_DESCRIPTION, samples: s?.samples ?? 1, specialValues: s?.specialValues ?? false };
}

/** Unknown heuristic names in `disabled` are typos: say which names exist. */
export function checkHeuristicNames(s: HeuristicSettings | undefined): void {
  const known = new Set(['all', ...SEMANTIC_HEURISTICS.map((h) => h.name)]);
  const unknown = (s?.disabled ?? []).filter((n) => !known.has(n));
  if (unknown.length)
    throw new CrossrtError('USAGE', `unknown heuristic(s): ${unknown.join(', ')}`, `known: ${[...known].join(', ')}`);
}

/**
 * Every input set for one model (or one merged signature of several variants): files first (they bind
 * dims), then plans, heuristics informed by the graph(s), defaults. Names in plans or named files that
 * the signature lacks are ignored here; callers check them against all models at once.
 */
export async function prepareInputSets(
  inputs: readonly ValueSignature[],
  models: readonly ModelProto[],
  seed: number,
  dims: DimOptions,
  s: InputSettings = {},
): Promise<GeneratedInputs> {
  checkHeuristicNames(s.heuristics);
  const names = new Set(inputs.map((i) => i.name));
  const fileSpecs = (s.files ?? []).filter((f) => !f.name || names.has(f.name));
  const files = fileSpecs.length ? await loadInputFiles(fileSpecs, inputs) : undefined;
  const plans = Object.fromEntries(Object.entries(s.plans ?? {}).filter(([k]) => names.has(k)));
  if (s.dataLoader) return loaderInputSets(s.dataLoader, inputs, models, seed, dims, { ...s, plans });
  return generateInputs(inputs, {
    seed,
    ...dims,
    plans,
    modelFacts: mergeFacts(models.map(inspectInputs)),
    ...(s.samples ? { samples: s.samples } : {}),
    ...(s.specialValues ? { specialValues: true } : {}),
    ...(s.heuristics ? { heuristicSettings: s.heuristics } : {}),
    ...(files ? { files } : {}),
  });
}

/**
 * `--data-loader` sets: each set the module yields is fed like `--input` files (its tensors bind
 * symbolic dims), the inputs it leaves out are generated as usual; sets are named `loader0`, `loader1`, …
 */
async function loaderInputSets(
  loader: DataLoaderHook,
  inputs: readonly ValueSignature[],
  models: readonly ModelProto[],
  seed: number,
  dims: DimOptions,
  s: InputSettings,
): Promise<GeneratedInputs> {
  const given = await loader.sets(
    {
      inputs: inputs.map((i) => ({
        name: i.name,
        ...(i.dtype ? { dtype: i.dtype } : {}),
        ...(i.dims ? { dims: i.dims } : {}),
      })),
      seed,
      model: '',
    },
    inputs,
  );
  const facts = mergeFacts(models.map(inspectInputs));
  const sets = given.map((tensors, k) => {
    const files = new Map([...tensors].map(([name, tensor]) => [name, { tensor, source: `${loader.label}#${k}` }]));
    const one = generateInputs(inputs, {
      seed,
      ...dims,
      plans: s.plans ?? {},
      modelFacts: facts,
      ...(s.heuristics ? { heuristicSettings: s.heuristics } : {}),
      files,
    });
    const name = `loader${k}`;
    return {
      set: {
        name,
        tensors: one.tensors,
        records: one.records.map((r) => ({ ...r, ...(given.length > 1 ? { set: name } : {}) })),
      },
      dims: one.dims,
    };
  });
  return {
    tensors: sets[0]!.set.tensors,
    records: sets.flatMap((x) => x.set.records),
    dims: sets[0]!.dims,
    sets: sets.map((x) => x.set),
  };
}

/** Several graphs (variants) can each reveal a vocabulary; the smallest table is the safe bound. */
function mergeFacts(all: readonly ReadonlyMap<string, InputModelFacts>[]): Map<string, InputModelFacts> {
  const out = new Map<string, InputModelFacts>();
  for (const facts of all) {
    for (const [name, f] of facts) {
      const prev = out.get(name);
      if (!prev?.vocabularySize || (f.vocabularySize !== undefined && f.vocabularySize < prev.vocabularySize))
        out.set(name, f);
    }
  }
  return out;
}

/** Plan and named-file input names that no model declares are typos, not silent no-ops. */
export function unusedInputNames(
  signatures: readonly (readonly ValueSignature[])[],
  s: InputSettings | undefined,
): string[] {
  const names = new Set(signatures.flat().map((i) => i.name));
  return [
    ...Object.keys(s?.plans ?? {})
      .filter((k) => !names.has(k))
      .map((k) => `--values ${k}`),
    ...(s?.files ?? []).filter((f) => f.name && !names.has(f.name)).map((f) => `--input ${f.name}`),
  ];
}

/** What decides the inputs and the tolerance of a two-sided run (variants, localize, reduce). */
export interface SideRunOptions {
  readonly seed?: number;
  readonly dims?: Readonly<Record<string, number>>;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  readonly defaultDim?: number;
  /** Value plans, heuristics, `--input` files (as for `crossrt run`). */
  readonly inputs?: InputSettings;
  /** Tolerance policy (`--rtol/--atol` as its base); per-dtype defaults when absent. */
  readonly policy?: TolerancePolicy;
}
