import { CrossrtError, type HeuristicSettings, type TolerancePolicy, type ValuePlan } from '@crossrt/core';
import {
  generateInputs, inspectInputs, loadInputFiles, PRNG_DESCRIPTION, SEMANTIC_HEURISTICS,
  type DimOptions, type GeneratedInputs, type InputFileSpec, type InputModelFacts,
} from '@crossrt/inputs';
import type { ModelProto, ValueSignature } from '@crossrt/model';

/** How inputs are made beyond dims: the `inputs` part of the CLI flags and config file. */
export interface InputSettings {
  readonly samples?: number;
  readonly specialValues?: boolean;
  /** Per-input value plans (`--values`, `--range`, config `inputs.values`). */
  readonly plans?: Readonly<Record<string, ValuePlan>>;
  readonly heuristics?: HeuristicSettings;
  /** `--input` files. */
  readonly files?: readonly InputFileSpec[];
}

export function inputPlanRecord(s: InputSettings | undefined) {
  return { prng: PRNG_DESCRIPTION, samples: s?.samples ?? 1, specialValues: s?.specialValues ?? false };
}

/** Unknown heuristic names in `disabled` are typos: say which names exist. */
export function checkHeuristicNames(s: HeuristicSettings | undefined): void {
  const known = new Set(['all', ...SEMANTIC_HEURISTICS.map((h) => h.name)]);
  const unknown = (s?.disabled ?? []).filter((n) => !known.has(n));
  if (unknown.length) throw new CrossrtError('USAGE', `unknown heuristic(s): ${unknown.join(', ')}`, `known: ${[...known].join(', ')}`);
}

/**
 * Every input set for one model (or one merged signature of several variants): files first (they bind
 * dims), then plans, heuristics informed by the graph(s), defaults. Names in plans or named files that
 * the signature lacks are ignored here; callers check them against all models at once.
 */
export async function prepareInputSets(
  inputs: readonly ValueSignature[], models: readonly ModelProto[], seed: number, dims: DimOptions, s: InputSettings = {},
): Promise<GeneratedInputs> {
  checkHeuristicNames(s.heuristics);
  const names = new Set(inputs.map((i) => i.name));
  const fileSpecs = (s.files ?? []).filter((f) => !f.name || names.has(f.name));
  const files = fileSpecs.length ? await loadInputFiles(fileSpecs, inputs) : undefined;
  const plans = Object.fromEntries(Object.entries(s.plans ?? {}).filter(([k]) => names.has(k)));
  return generateInputs(inputs, {
    seed, ...dims, plans, modelFacts: mergeFacts(models.map(inspectInputs)),
    ...(s.samples ? { samples: s.samples } : {}), ...(s.specialValues ? { specialValues: true } : {}),
    ...(s.heuristics ? { heuristicSettings: s.heuristics } : {}), ...(files ? { files } : {}),
  });
}

/** Several graphs (variants) can each reveal a vocabulary; the smallest table is the safe bound. */
function mergeFacts(all: readonly ReadonlyMap<string, InputModelFacts>[]): Map<string, InputModelFacts> {
  const out = new Map<string, InputModelFacts>();
  for (const facts of all) {
    for (const [name, f] of facts) {
      const prev = out.get(name);
      if (!prev?.vocabularySize || (f.vocabularySize !== undefined && f.vocabularySize < prev.vocabularySize)) out.set(name, f);
    }
  }
  return out;
}

/** Plan and named-file input names that no model declares are typos, not silent no-ops. */
export function unusedInputNames(signatures: readonly (readonly ValueSignature[])[], s: InputSettings | undefined): string[] {
  const names = new Set(signatures.flat().map((i) => i.name));
  return [
    ...Object.keys(s?.plans ?? {}).filter((k) => !names.has(k)).map((k) => `--values ${k}`),
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
