import { Command } from 'commander';
import { reduceDiscrepancy } from '@crossrt/harness';
import { writeJsonReport, writeReportFiles } from '@crossrt/report';
import { exitCodeForReport } from '../exit-codes.js';
import { parseInteger } from '../option-parsers.js';
import { addDiscrepancyOptions, discrepancyOptions, type DiscrepancyFlags } from './discrepancy-flags.js';
import { renderReduction } from './localization-console.js';

interface ReduceFlags extends DiscrepancyFlags {
  out: string;
  output?: string;
  maxRuns: number;
}

export function reduceCommand(): Command {
  const cmd = new Command('reduce')
    .description(
      'shrink a model to a minimal one that still shows the discrepancy between two targets (or two variants); writes the model and its inputs',
    )
    .argument('<model>', '.onnx model, or an ONNX backend test-case folder (its test_data_set_0 inputs are used)')
    .option(
      '-o, --out <dir>',
      'folder for the reduced model (model.onnx, test_data_set_0/*.pb, inputs.npz)',
      'crossrt-reduced',
    )
    .option(
      '--output <name>',
      'output (or intermediate tensor, e.g. from the localize table) whose verdict must be kept (default: the first output that does not pass)',
    )
    .option('--max-runs <n>', 'target runs the search may spend', parseInteger('--max-runs', 4), 300);
  return addDiscrepancyOptions(cmd).action(async (model: string, flags: ReduceFlags) => {
    const options = await discrepancyOptions(model, flags);
    const report = await reduceDiscrepancy({
      ...options,
      outDir: flags.out,
      maxRuns: flags.maxRuns,
      ...(flags.output ? { output: flags.output } : {}),
    });
    if (flags.json) await writeJsonReport(flags.json, report);
    process.stdout.write(`${renderReduction(report, { quiet: flags.quiet === true })}\n`);
    if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
    for (const line of await writeReportFiles(report, flags)) process.stdout.write(`${line}\n`);
    process.exitCode = exitCodeForReport(report);
  });
}
