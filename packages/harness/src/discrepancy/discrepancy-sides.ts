import { basename, join, resolve } from 'node:path';
import {
  CrossrtError,
  type CaseResult,
  type Comparison,
  type DimResolution,
  type HostTensor,
  type InputRecord,
  type PlacementPolicy,
  type Report,
  type RunOutcome,
  type Tolerance,
  type TolerancePolicy,
} from '@crossrt/core';
import { compareOutput, resolveTolerance } from '@crossrt/compare';
import { DEFAULT_DIM, scopeDimOptions, SPECIAL_VALUES_SET, tensorSha256 } from '@crossrt/inputs';
import {
  isBackendTestCaseDir,
  loadBackendTestCase,
  modelSignature,
  readModelFile,
  type LoadedModel,
  type ModelProto,
} from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { prepareInputSets, type SideRunOptions } from '../run/input-settings.js';
import { CandidateFiles } from '../graph/candidate-files.js';
import { applyPlacementVerdicts } from '../placement/placement-verdict.js';
import { buildReport, caseVerdict, modelRecord } from '../report/report-builder.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import { declaredFeeds, graphInputNames } from '../run/declared-feeds.js';
import { outcomeLine } from '../run/outcome-line.js';

/**
 * The two sides of a discrepancy: one model on two targets, or two variants of a model (same graph
 * structure) on one target each. Localize and reduce only ever ask "run this transformed model on both
 * sides with these feeds"; each run goes through a TargetPool host process, so a browser target works
 * like a Node one and a crash costs one candidate, not the search.
 */
export interface DiscrepancySide {
  /** `ort-node:cpu` in target mode, `b.onnx@ort-node:cpu` in variant mode. */
  readonly label: string;
  readonly target: TargetDescriptor;
  readonly model: LoadedModel;
}

export interface DiscrepancySpec {
  readonly mode: 'targets' | 'variants';
  readonly reference: DiscrepancySide;
  readonly actual: DiscrepancySide;
}

export interface SideInputs {
  readonly feeds: ReadonlyMap<string, HostTensor>;
  readonly records: readonly InputRecord[];
  readonly dims: readonly DimResolution[];
}

export interface DiscrepancyOptions extends SideRunOptions {
  /** Model path, or an ONNX backend test-case folder (its test_data_set_0 inputs are used). */
  readonly model: string;
  /** Targets mode: [reference, actual]. Variant mode: one target for both, or one per variant. */
  readonly targets: readonly TargetDescriptor[];
  /** Variant mode: the second model (same graph structure). */
  readonly variant?: string;
  /** Time limit per load and per run on either side. */
  readonly timeoutMs?: number;
  /** How a GPU side's placement is judged (default `compute`). */
  readonly placement?: PlacementPolicy;
  // `inputs` gives one input set here: sample 0, or the special-values set.
}

/** Resolve the sides: which models on which targets, and their display labels. */
export async function resolveDiscrepancy(
  options: DiscrepancyOptions,
): Promise<{ spec: DiscrepancySpec; testCaseInputs?: ReadonlyMap<string, HostTensor> }> {
  const { targets } = options;
  let modelPath = resolve(options.model);
  let testCaseInputs: ReadonlyMap<string, HostTensor> | undefined;
  if (await isBackendTestCaseDir(modelPath)) {
    const tc = await loadBackendTestCase(modelPath);
    testCaseInputs = tc.dataSets[0]?.inputs;
    modelPath = join(modelPath, 'model.onnx');
  }
  const model = await readModelFile(modelPath);
  if (!options.variant) {
    if (targets.length !== 2)
      throw new CrossrtError(
        'USAGE',
        `comparing one model needs exactly two targets, got ${targets.length}`,
        'e.g. --targets ort-node:cpu,ort-web:wasm, or give --variant <model> with one target',
      );
    return {
      spec: {
        mode: 'targets',
        reference: { label: targets[0]!.id, target: targets[0]!, model },
        actual: { label: targets[1]!.id, target: targets[1]!, model },
      },
      ...(testCaseInputs ? { testCaseInputs } : {}),
    };
  }
  if (targets.length < 1 || targets.length > 2)
    throw new CrossrtError(
      'USAGE',
      `comparing two variants takes one target (or one per variant), got ${targets.length}`,
      'e.g. --variant b.onnx --targets ort-node:cpu',
    );
  const variant = await readModelFile(resolve(options.variant));
  const [ta, tb] = [targets[0]!, targets[1] ?? targets[0]!];
  const names =
    basename(modelPath) === basename(variant.path)
      ? [modelPath, variant.path]
      : [basename(modelPath), basename(variant.path)];
  return {
    spec: {
      mode: 'variants',
      reference: { label: `${names[0]}@${ta.id}`, target: ta, model },
      actual: { label: `${names[1]}@${tb.id}`, target: tb, model: variant },
    },
    ...(testCaseInputs ? { testCaseInputs } : {}),
  };
}

/**
 * One input set for the reference model, fed identically to both sides: a backend test case's
 * test_data_set_0 when given a case folder, else seeded values as `crossrt run` makes them (files,
 * plans, heuristics), first set only.
 */
export async function prepareSideInputs(
  spec: DiscrepancySpec,
  options: DiscrepancyOptions,
  testCaseInputs?: ReadonlyMap<string, HostTensor>,
): Promise<SideInputs> {
  const signature = modelSignature(spec.reference.model.proto);
  let result: SideInputs;
  if (testCaseInputs && signature.inputs.every((i) => testCaseInputs.has(i.name))) {
    const records = signature.inputs.map((i): InputRecord => {
      const t = testCaseInputs.get(i.name)!;
      return {
        name: i.name,
        dtype: t.dtype,
        dims: [...t.dims],
        generator: 'file:test_data_set_0',
        sha256: tensorSha256(t),
      };
    });
    result = { feeds: testCaseInputs, records, dims: [] };
  } else {
    const dimOptions = {
      ...(options.dims ? { dims: options.dims } : {}),
      ...(options.shapes ? { shapes: options.shapes } : {}),
      ...(options.defaultDim ? { defaultDim: options.defaultDim } : {}),
    };
    const models =
      spec.mode === 'variants' ? [spec.reference.model.proto, spec.actual.model.proto] : [spec.reference.model.proto];
    const special = options.inputs?.specialValues === true;
    const generated = await prepareInputSets(
      signature.inputs,
      models,
      options.seed ?? 0,
      scopeDimOptions(signature.inputs, dimOptions),
      { ...options.inputs, samples: 1, specialValues: special },
    );
    // With --special-values the discrepancy to chase is the one the special-values set shows.
    const set = special
      ? (generated.sets.find((x) => x.name === SPECIAL_VALUES_SET) ?? generated.sets[0]!)
      : generated.sets[0]!;
    result = { feeds: set.tensors, records: set.records, dims: generated.dims };
  }
  if (spec.mode === 'variants') {
    const lacking = modelSignature(spec.actual.model.proto)
      .inputs.filter((i) => !result.feeds.has(i.name))
      .map((i) => i.name);
    if (lacking.length > 0) {
      throw new CrossrtError(
        'USAGE',
        `variant input(s) ${lacking.map((n) => `"${n}"`).join(', ')} do not exist in the reference model`,
        'localize and reduce need two variants with the same graph inputs',
      );
    }
  }
  return result;
}

export function tolerancePolicy(options: Pick<DiscrepancyOptions, 'policy'>): TolerancePolicy {
  return options.policy ?? {};
}

/** The float32 tolerance the policy gives the two sides: what localize and reduce report as theirs. */
export function floatTolerance(spec: DiscrepancySpec, policy: TolerancePolicy): Tolerance {
  return resolveTolerance(
    { output: '*', dtype: 'float32', target: spec.actual.label, reference: spec.reference.label },
    policy,
    'cli',
  );
}

export type SideComparer = (
  output: string,
  expected: HostTensor | undefined,
  actual: HostTensor | undefined,
) => Comparison;

/** One tensor of the actual side against the reference side's (variants may mix float dtypes). */
export function sideComparer(spec: DiscrepancySpec, policy: TolerancePolicy): SideComparer {
  return (output, expected, actual) =>
    compareOutput({
      output,
      target: spec.actual.label,
      reference: spec.reference.label,
      expected,
      actual,
      policy,
      policyBaseSource: 'cli',
      allowFloatDtypeMix: spec.mode === 'variants',
    });
}

/** Every graph output of `proto` compared between the two sides of one run. */
export function compareGraphOutputs(proto: ModelProto, run: SidePairRun, compare: SideComparer): Comparison[] {
  return modelSignature(proto).outputs.map((o) =>
    compare(o.name, run.reference.outputs[0]?.get(o.name), run.actual.outputs[0]?.get(o.name)),
  );
}

export interface SidePairRun {
  readonly reference: TargetExecution;
  readonly actual: TargetExecution;
}

/** What a localize or reduce search found, to become the one case of its report. */
export interface DiscrepancyFindings {
  readonly tolerance: Tolerance;
  readonly outcomes: readonly RunOutcome[];
  readonly comparisons: readonly Comparison[];
  /** `localization`, `reduction`, notes: the command's own part of the case. */
  readonly extra: Partial<Pick<CaseResult, 'localization' | 'reduction' | 'notes'>>;
}

/**
 * The frame `crossrt localize` and `crossrt reduce` share: resolve the sides, prepare their inputs,
 * run `search` with a SideRunner on its own host pool (both closed whatever happens), and report the
 * findings as one case.
 */
export async function runDiscrepancySearch(
  command: 'localize' | 'reduce',
  options: DiscrepancyOptions,
  search: (spec: DiscrepancySpec, inputs: SideInputs, runner: SideRunner) => Promise<DiscrepancyFindings>,
): Promise<Report> {
  const { spec, testCaseInputs } = await resolveDiscrepancy(options);
  const inputs = await prepareSideInputs(spec, options, testCaseInputs);
  const pool = new TargetPool({
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.placement ? { placementPolicy: options.placement } : {}),
  });
  const runner = new SideRunner(spec, pool);
  try {
    const { tolerance, outcomes, comparisons, extra } = await search(spec, inputs, runner);
    const result: Omit<CaseResult, 'verdict'> = {
      id: options.model,
      model: modelRecord(spec.reference.model.path, spec.reference.model),
      inputs: [...inputs.records],
      dims: [...inputs.dims],
      outcomes: [...outcomes],
      comparisons: applyPlacementVerdicts([...comparisons], [...outcomes]),
      ...extra,
    };
    return buildReport(
      command,
      {
        targets: [...new Set([spec.reference.target.id, spec.actual.target.id])],
        reference: spec.reference.label,
        seed: options.seed ?? 0,
        tolerance,
        defaultDim: options.defaultDim ?? DEFAULT_DIM,
        placement: pool.placementPolicy,
      },
      [{ ...result, verdict: caseVerdict(result) }],
    );
  } finally {
    await runner.close();
    await pool.close();
  }
}

/**
 * Runs transformed models on both sides (written by CandidateFiles, removed after each run) and
 * counts runs for the reports.
 */
export class SideRunner {
  runs = 0;
  private readonly files = new CandidateFiles('crossrt-localize');

  constructor(
    readonly spec: DiscrepancySpec,
    private readonly pool: TargetPool,
  ) {}

  /** Run `refProto` on the reference side and `actProto` on the actual side, each with the feeds it declares. */
  async runBoth(
    refProto: ModelProto,
    actProto: ModelProto,
    feeds: ReadonlyMap<string, HostTensor>,
  ): Promise<SidePairRun> {
    const refPath = await this.files.write(refProto, this.spec.reference.model);
    const actPath =
      this.spec.mode === 'targets' && actProto === refProto
        ? refPath
        : await this.files.write(actProto, this.spec.actual.model);
    try {
      const reference = await this.exec(this.spec.reference, refPath, refProto, feeds);
      const actual = await this.exec(this.spec.actual, actPath, actProto, feeds);
      return { reference, actual };
    } finally {
      await this.files.remove(refPath);
      if (actPath !== refPath) await this.files.remove(actPath);
    }
  }

  /** Run one model on the reference side only (capturing intermediate values). */
  async runReference(proto: ModelProto, feeds: ReadonlyMap<string, HostTensor>): Promise<TargetExecution> {
    const path = await this.files.write(proto, this.spec.reference.model);
    try {
      return await this.exec(this.spec.reference, path, proto, feeds);
    } finally {
      await this.files.remove(path);
    }
  }

  close(): Promise<void> {
    return this.files.close();
  }

  private async exec(
    side: DiscrepancySide,
    path: string,
    proto: ModelProto,
    feeds: ReadonlyMap<string, HostTensor>,
  ): Promise<TargetExecution> {
    this.runs++;
    return executeOnTarget(
      this.pool,
      side.target,
      path,
      [declaredFeeds(graphInputNames(proto), feeds)],
      proto.graph?.node.length ?? 0,
    );
  }
}

/** A side's failure in one line, for reasons and errors. */
export function describeFailure(side: DiscrepancySide, exec: TargetExecution): string {
  return `${side.label}: ${outcomeLine(exec.outcome)}`;
}
