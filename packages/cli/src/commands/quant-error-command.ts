import { Command } from 'commander';
import { CrossrtError } from '@crossrt/core';
import { DEFAULT_JUMP_DB, runQuantError } from '@crossrt/harness';
import { quantErrorLines, renderCase, renderConsole, writeJsonReport, writeReportFiles } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForReport } from '../exit-codes.js';
import { parseInteger, parseNonNegativeNumber } from '../option-parsers.js';
import { addInputOptions, resolveInputFlags, type InputFlags } from './input-flags.js';
import { addReportFileOptions, type ReportFileFlags } from './report-file-flags.js';

interface QuantErrorFlags extends InputFlags, ReportFileFlags {
  targets: string;
  jumpDb: number;
  top: number;
  all?: boolean;
  defaultDim: number;
  timeout: number;
  quiet?: boolean;
}

export function quantErrorCommand(): Command {
  const cmd = new Command('quant-error')
    .description(
      'per-tensor and per-weight error of an int8 model (QDQ or QOperator) against the fp32 model it was quantized from, on one target; names the first tensor where the error jumps',
    )
    .argument('<fp32>', 'the fp32 .onnx model (the reference)')
    .argument(
      '<int8>',
      'its int8 variant: QuantizeLinear/DequantizeLinear pairs, or QLinearConv/QLinearMatMul/QGemm/… ops',
    )
    .option('-t, --targets <id>', 'the one target both models run on', 'ort-node:cpu')
    .option(
      '--jump-db <dB>',
      "SNR loss against a node's inputs that counts as a jump",
      parseNonNegativeNumber('--jump-db'),
      DEFAULT_JUMP_DB,
    )
    .option('--top <n>', 'rows of the worst-tensor and worst-weight tables', parseInteger('--top', 1), 10)
    .option('--all', 'also print every compared tensor in graph order')
    .option('--timeout <seconds>', 'time limit per load and per run', parseNonNegativeNumber('--timeout'), 120)
    .option('-q, --quiet', 'print only the summary line');
  return addInputOptions(addReportFileOptions(cmd)).action(
    async (fp32: string, int8: string, flags: QuantErrorFlags) => {
      const targets = parseTargetList(flags.targets);
      if (targets.length !== 1)
        throw new CrossrtError(
          'USAGE',
          `quant-error compares both models on one target, got ${targets.length}`,
          'e.g. -t ort-node:cpu; run it once per target',
        );
      const resolved = await resolveInputFlags(flags);
      const report = await runQuantError({
        model: fp32,
        variant: int8,
        target: targets[0]!,
        jumpDb: flags.jumpDb,
        seed: resolved.seed,
        defaultDim: flags.defaultDim,
        inputs: resolved.inputs,
        timeoutMs: flags.timeout * 1000,
        ...(resolved.dims ? { dims: resolved.dims } : {}),
        ...(resolved.shapes ? { shapes: resolved.shapes } : {}),
      });
      if (flags.json) await writeJsonReport(flags.json, report);
      const { quantError, ...plain } = report.cases[0]!;
      // The case block's short tables give way to the command's own (--top, --all).
      const lines = flags.quiet
        ? []
        : [
            ...renderCase(plain),
            ...(quantError
              ? quantErrorLines(quantError, { top: flags.top, all: flags.all === true }).map((l) => `  ${l}`)
              : []),
            '',
          ];
      process.stdout.write(`${[...lines, renderConsole({ ...report, cases: [] })].join('\n')}\n`);
      if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
      for (const line of await writeReportFiles(report, flags)) process.stdout.write(`${line}\n`);
      process.exitCode = exitCodeForReport(report);
    },
  );
}
