import { basename, resolve } from 'node:path';
import type { CaseResult, Comparison, PlacementPolicy, Report, Tolerance, VariantKind } from '@crossrt/core';
import { compareOutput, DEFAULT_TOLERANCE, pairVariantKind } from '@crossrt/compare';
import { DEFAULT_DIM, type InputSet } from '@crossrt/inputs';
import { modelSignature, readModelFile, type LoadedModel, type ModelSignature } from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { inputPlanRecord, prepareInputSets, type SideRunOptions } from '../run/input-settings.js';
import { buildReport, caseVerdict, modelRecord } from '../report/report-builder.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import { applyPlacementVerdicts } from '../placement/placement-verdict.js';
import { detectVariantKind, mergeVariantInputs } from './variant-signature.js';
import { declaredFeeds } from '../run/declared-feeds.js';

export interface VariantCompareOptions extends SideRunOptions {
  readonly target: TargetDescriptor;
  readonly policyBaseSource?: Tolerance['source'];
  /** Variant kind per model label or path, instead of the detected one. */
  readonly variantKinds?: Readonly<Record<string, VariantKind>>;
  readonly timeoutMs?: number;
  /** How the placement of a variant on a GPU target is judged (default `compute`). */
  readonly placement?: PlacementPolicy;
  readonly onVariant?: (label: string, index: number, total: number) => void;
}

interface Variant {
  readonly path: string;
  readonly label: string;
  readonly model: LoadedModel;
  readonly signature: ModelSignature;
  readonly kind: VariantKind;
  readonly kindWhy: string;
}

/**
 * `crossrt compare a.onnx b.onnx [...] --target T`: model variants (fp32 / fp16 / int8, opset upgrades,
 * another converter's output) get the same generated inputs, matched by name — a variant that lacks an
 * input the others have, or has an extra one, gets what it declares and its case notes say so — and
 * every output, matched by name, is compared against the first variant under the variant-aware policy
 * of the pair. Comparisons name `<label>@<target>` as target and reference.
 */
export async function compareVariants(modelPaths: readonly string[], options: VariantCompareOptions): Promise<Report> {
  const seed = options.seed ?? 0;
  const variants: Variant[] = [];
  const labels = variantLabels(modelPaths);
  for (const [i, path] of modelPaths.entries()) {
    const model = await readModelFile(resolve(path));
    const label = labels[i]!;
    const detected = detectVariantKind(model.proto);
    const forced = options.variantKinds?.[label] ?? options.variantKinds?.[path];
    variants.push({
      path,
      label,
      model,
      signature: modelSignature(model.proto),
      kind: forced ?? detected.kind,
      kindWhy: forced ? 'set by --variant-kind' : detected.why,
    });
  }
  const merged = mergeVariantInputs(variants.map((v) => ({ label: v.label, inputs: v.signature.inputs })));
  const dims = Object.fromEntries(Object.entries(options.dims ?? {}).map(([k, v]) => [merged.aliases.get(k) ?? k, v]));
  const generated = await prepareInputSets(
    merged.inputs,
    variants.map((v) => v.model.proto),
    seed,
    {
      dims,
      ...(options.shapes ? { shapes: options.shapes } : {}),
      ...(options.defaultDim ? { defaultDim: options.defaultDim } : {}),
    },
    options.inputs,
  );
  const sets = generated.sets;
  const pool = new TargetPool({
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.placement ? { placementPolicy: options.placement } : {}),
  });
  const executions: TargetExecution[] = [];
  try {
    for (const [i, v] of variants.entries()) {
      options.onVariant?.(v.label, i, variants.length);
      const names = new Set(v.signature.inputs.map((x) => x.name));
      const feedSets = sets.map((s) => declaredFeeds(names, s.tensors));
      executions.push(
        await executeOnTarget(
          pool,
          options.target,
          resolve(v.path),
          feedSets,
          v.model.proto.graph?.node.length ?? 0,
          v.model.proto,
        ),
      );
    }
  } finally {
    await pool.close();
  }
  const subject = (v: Variant) => `${v.label}@${options.target.id}`;
  const [ref] = variants;
  const refExec = executions[0]!;
  const cases = variants.map((v, i): CaseResult => {
    const exec = executions[i]!;
    const declared = new Set(v.signature.inputs.map((x) => x.name));
    const notes = [`variant kind ${v.kind} (${v.kindWhy})`, ...inputNotes(v, merged.declaredBy, variants.length)];
    let comparisons: Comparison[] = [];
    if (i > 0 && refExec.outcome.status === 'ok' && exec.outcome.status === 'ok') {
      const kind = pairVariantKind(ref!.kind, v.kind);
      const refOutputs = ref!.signature.outputs.map((o) => o.name);
      const extra = v.signature.outputs.map((o) => o.name).filter((n) => !refOutputs.includes(n));
      if (extra.length)
        notes.push(`outputs ${extra.map((n) => `"${n}"`).join(', ')} are not in ${ref!.label}: not compared`);
      comparisons = sets.flatMap((set: InputSet, k) =>
        refOutputs.map((output) =>
          compareOutput({
            output,
            target: subject(v),
            reference: subject(ref!),
            ...(sets.length > 1 ? { inputSet: set.name } : {}),
            actual: exec.outputs[k]?.get(output),
            expected: refExec.outputs[k]?.get(output),
            ...(options.policy ? { policy: options.policy } : {}),
            ...(options.policyBaseSource ? { policyBaseSource: options.policyBaseSource } : {}),
            variantKind: kind,
            allowFloatDtypeMix: true,
          }),
        ),
      );
    } else if (i > 0 && refExec.outcome.status !== 'ok') {
      notes.push(`not compared: the reference ${ref!.label} did not run (${refExec.outcome.status})`);
    }
    const result: Omit<CaseResult, 'verdict'> = {
      id: v.path,
      model: modelRecord(v.path, v.model),
      inputs: generated.records.filter((r) => declared.has(r.name)),
      dims: generated.dims.filter((d) => declared.has(d.input)),
      // A variant that ran on the CPU of a GPU target is a placement finding like any run's.
      outcomes: [exec.outcome],
      comparisons: applyPlacementVerdicts(comparisons, [{ ...exec.outcome, target: subject(v) }]),
      notes,
    };
    return { ...result, verdict: caseVerdict(result) };
  });
  return buildReport(
    'compare',
    {
      targets: [options.target.id],
      reference: subject(ref!),
      seed,
      tolerance: DEFAULT_TOLERANCE,
      defaultDim: options.defaultDim ?? DEFAULT_DIM,
      inputPlan: inputPlanRecord(options.inputs),
      placement: pool.placementPolicy,
    },
    cases,
  );
}

/** File names, unless two variants share one: then the paths as given. */
function variantLabels(paths: readonly string[]): string[] {
  const names = paths.map((p) => basename(p));
  return new Set(names).size === names.length ? names : [...paths];
}

function inputNotes(v: Variant, declaredBy: ReadonlyMap<string, readonly string[]>, variantCount: number): string[] {
  const own = new Set(v.signature.inputs.map((x) => x.name));
  const notes: string[] = [];
  for (const [name, by] of declaredBy) {
    if (!own.has(name))
      notes.push(
        `lacks input "${name}" that ${by.join(', ')} declare${by.length === 1 ? 's' : ''}: not fed to this variant`,
      );
    else if (by.length < variantCount && by.length === 1)
      notes.push(`has input "${name}" that no other variant declares: generated for this variant alone`);
  }
  return notes;
}
