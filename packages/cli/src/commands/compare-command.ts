import { Command } from 'commander';
import { CrossrtError, VariantKindSchema, type PlacementPolicy, type VariantKind } from '@crossrt/core';
import { compareVariants } from '@crossrt/harness';
import { renderConsole, writeJsonReport } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForReport } from '../exit-codes.js';
import {
  collectKeyValue,
  parseNonNegativeNumber,
  parsePlacementPolicy,
  PLACEMENT_FLAG_HELP,
} from '../option-parsers.js';
import { addInputOptions, resolveInputFlags, type InputFlags } from './input-flags.js';

interface CompareFlags extends InputFlags {
  target: string;
  defaultDim: number;
  json?: string;
  timeout: number;
  quiet?: boolean;
  variantKind?: Record<string, VariantKind>;
  placement?: PlacementPolicy;
}

const parseKind = (text: string): VariantKind => {
  const k = VariantKindSchema.safeParse(text);
  if (!k.success)
    throw new CrossrtError(
      'USAGE',
      `--variant-kind expects one of ${VariantKindSchema.options.join(', ')}, got "${text}"`,
    );
  return k.data;
};

export function compareCommand(): Command {
  const cmd = new Command('compare')
    .description(
      'run model variants (fp32 / fp16 / int8, opset upgrades, old vs new converter output) on one target with the same inputs and compare every output against the first model',
    )
    .argument('<models...>', 'two or more .onnx files; the first is the reference')
    .option('-t, --target <id>', 'target id to run every variant on', 'ort-node:cpu')
    .option(
      '--rtol <r>',
      'relative tolerance for element-wise checks (replaces the variant policy numbers)',
      parseNonNegativeNumber('--rtol'),
    )
    .option('--atol <a>', 'absolute tolerance for element-wise checks', parseNonNegativeNumber('--atol'))
    .option(
      '--variant-kind <model=kind>',
      'override the detected variant kind (fp32, fp16, bf16, int8) of a model (repeatable)',
      collectKeyValue('--variant-kind', parseKind),
    )
    .option('--json <file>', 'write the versioned JSON report here')
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on the target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option('--placement <policy>', PLACEMENT_FLAG_HELP, parsePlacementPolicy)
    .option('-q, --quiet', 'print only the summary line');
  return addInputOptions(cmd).action(async (models: string[], flags: CompareFlags) => {
    if (models.length < 2)
      throw new CrossrtError(
        'USAGE',
        'compare needs at least two models',
        'crossrt compare reference.onnx variant.onnx [more.onnx] --target ort-node:cpu',
      );
    const targets = parseTargetList(flags.target);
    if (targets.length !== 1)
      throw new CrossrtError(
        'USAGE',
        `--target takes one target id, got ${targets.length}`,
        'run compare once per target',
      );
    const resolved = await resolveInputFlags(flags);
    const progress = process.stderr.isTTY && !flags.quiet;
    const report = await compareVariants(models, {
      target: targets[0]!,
      seed: resolved.seed,
      defaultDim: flags.defaultDim,
      timeoutMs: flags.timeout * 1000,
      inputs: resolved.inputs,
      policy: resolved.policy,
      ...(resolved.tolerance ? { policyBaseSource: resolved.tolerance.source } : {}),
      ...(resolved.dims ? { dims: resolved.dims } : {}),
      ...(resolved.shapes ? { shapes: resolved.shapes } : {}),
      ...(flags.variantKind ? { variantKinds: flags.variantKind } : {}),
      ...(flags.placement ? { placement: flags.placement } : {}),
      onVariant: (label, i, n) => {
        if (progress) process.stderr.write(`[${i + 1}/${n}] ${label}\n`);
      },
    });
    if (flags.json) await writeJsonReport(flags.json, report);
    process.stdout.write(`${renderConsole(flags.quiet ? { ...report, cases: [] } : report)}\n`);
    if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
    process.exitCode = exitCodeForReport(report);
  });
}
