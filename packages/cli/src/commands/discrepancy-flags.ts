import type { Command } from 'commander';
import { CrossrtError, type PlacementPolicy } from '@crossrt/core';
import type { DiscrepancyOptions } from '@crossrt/harness';
import { parseTargetList } from '@crossrt/runtime';
import { parseNonNegativeNumber, parsePlacementPolicy, PLACEMENT_FLAG_HELP } from '../option-parsers.js';
import { addInputOptions, resolveInputFlags, type InputFlags } from './input-flags.js';
import { addReportFileOptions, type ReportFileFlags } from './report-file-flags.js';
import { DEFAULT_TARGETS } from '../default-targets.js';

/** Flags `localize` and `reduce` share: which two sides, which inputs, which tolerance. */
export interface DiscrepancyFlags extends InputFlags, ReportFileFlags {
  targets?: string;
  variant?: string;
  defaultDim: number;
  timeout: number;
  quiet?: boolean;
  placement?: PlacementPolicy;
}

export function addDiscrepancyOptions(cmd: Command): Command {
  cmd
    .option(
      '-t, --targets <ids>',
      `two targets (reference first) for one model; one target (or one per model) with --variant (default ${DEFAULT_TARGETS}, or ort-node:cpu with --variant)`,
    )
    .option(
      '--variant <model>',
      'compare this model (same graph structure, e.g. one node changed) against <model> instead of two targets',
    )
    .option('--rtol <r>', 'relative tolerance (default: per dtype, float32 1e-5)', parseNonNegativeNumber('--rtol'))
    .option('--atol <a>', 'absolute tolerance (default: per dtype, float32 1e-5)', parseNonNegativeNumber('--atol'));
  addReportFileOptions(cmd)
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on a target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option('--placement <policy>', PLACEMENT_FLAG_HELP, parsePlacementPolicy)
    .option('-q, --quiet', 'print only the summary');
  return addInputOptions(cmd);
}

export async function discrepancyOptions(
  model: string,
  flags: DiscrepancyFlags,
): Promise<DiscrepancyOptions & { timeoutMs: number }> {
  const resolved = await resolveInputFlags(flags);
  if ((resolved.inputs.samples ?? 1) > 1) {
    throw new CrossrtError(
      'USAGE',
      'localize and reduce work on one input set: --samples does not apply',
      'pick the failing set with --seed, --special-values or --input',
    );
  }
  const targets = parseTargetList(flags.targets ?? (flags.variant ? 'ort-node:cpu' : DEFAULT_TARGETS));
  return {
    model,
    targets,
    seed: resolved.seed,
    defaultDim: flags.defaultDim,
    inputs: resolved.inputs,
    policy: resolved.policy,
    timeoutMs: flags.timeout * 1000,
    ...(flags.variant ? { variant: flags.variant } : {}),
    ...(flags.placement ? { placement: flags.placement } : {}),
    ...(resolved.dims ? { dims: resolved.dims } : {}),
    ...(resolved.shapes ? { shapes: resolved.shapes } : {}),
  };
}
