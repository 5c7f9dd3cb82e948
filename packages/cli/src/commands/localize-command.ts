import { Command } from 'commander';
import { localizeDiscrepancy } from '@crossrt/harness';
import { writeJsonReport, writeReportFiles } from '@crossrt/report';
import { exitCodeForReport } from '../exit-codes.js';
import { parseInteger, parseNonNegativeNumber } from '../option-parsers.js';
import { addDiscrepancyOptions, discrepancyOptions, type DiscrepancyFlags } from './discrepancy-flags.js';
import { renderLocalization } from './localization-console.js';

interface LocalizeFlags extends DiscrepancyFlags {
  chunkSize: number;
  maxChunkMb: number;
  allNodes?: boolean;
}

export function localizeCommand(): Command {
  const cmd = new Command('localize')
    .description(
      'find the first node whose output diverges between two targets (or two model variants) while its inputs agree; per-node table and error growth',
    )
    .argument('<model>', '.onnx model, or an ONNX backend test-case folder (its test_data_set_0 inputs are used)')
    .option(
      '--chunk-size <n>',
      'intermediate tensors exposed per run (bounds memory on large models)',
      parseInteger('--chunk-size', 1),
      128,
    )
    .option(
      '--max-chunk-mb <n>',
      'exposed-tensor bytes per run (both sides) above which later chunks shrink',
      parseNonNegativeNumber('--max-chunk-mb'),
      512,
    )
    .option('--all-nodes', 'print every node, not only diverging ones and their neighbourhood');
  return addDiscrepancyOptions(cmd).action(async (model: string, flags: LocalizeFlags) => {
    const options = await discrepancyOptions(model, flags);
    const report = await localizeDiscrepancy({
      ...options,
      chunkSize: flags.chunkSize,
      maxChunkBytes: flags.maxChunkMb * 2 ** 20,
    });
    if (flags.json) await writeJsonReport(flags.json, report);
    process.stdout.write(
      `${renderLocalization(report, { allNodes: flags.allNodes === true, quiet: flags.quiet === true })}\n`,
    );
    if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
    for (const line of await writeReportFiles(report, flags)) process.stdout.write(`${line}\n`);
    process.exitCode = exitCodeForReport(report);
  });
}
