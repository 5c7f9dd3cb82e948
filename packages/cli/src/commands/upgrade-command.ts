import { Command } from 'commander';
import { CrossrtError } from '@crossrt/core';
import { runOpsetUpgrade } from '@crossrt/harness';
import { renderConsole, writeJsonReport, writeReportFiles } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { DEFAULT_TARGETS } from '../default-targets.js';
import { exitCodeForReport } from '../exit-codes.js';
import { parseNonNegativeNumber } from '../option-parsers.js';
import { addInputOptions, resolveInputFlags, type InputFlags } from './input-flags.js';
import { addReportFileOptions } from './report-file-flags.js';

interface UpgradeFlags extends InputFlags {
  opset: number[];
  targets: string;
  outDir: string;
  defaultDim: number;
  json?: string;
  junit?: string;
  markdown?: string;
  html?: string;
  timeout: number;
  quiet?: boolean;
}

/** Where converted models go unless --out-dir says otherwise (the torch command's folder too). */
export const DEFAULT_EXPORT_DIR = 'crossrt-exports';

/** `15,17` or `15-17`; ai.onnx opsets start at 1. */
export function parseOpsetList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (a < 1 || b < a)
        throw new CrossrtError(
          'USAGE',
          `--opset range "${part}" is empty or starts below 1`,
          'write e.g. --opset 15-17',
        );
      for (let o = a; o <= b; o++) out.push(o);
      continue;
    }
    if (!/^\d+$/.test(part) || Number(part) < 1) {
      throw new CrossrtError(
        'USAGE',
        `--opset expects opset numbers separated by commas, got "${text}"`,
        'write e.g. --opset 16,17 or --opset 14-17',
      );
    }
    out.push(Number(part));
  }
  return out;
}

export function upgradeCommand(): Command {
  const cmd = new Command('upgrade')
    .description(
      'convert a model to newer ai.onnx opsets with onnx.version_converter (Python), keep the converted models, and compare each against the original on every target with the same inputs',
    )
    .argument('<model>', 'the .onnx model to convert; it is the oracle of every converted model')
    .requiredOption(
      '--opset <list>',
      "ai.onnx opsets to convert to: 16,17 or 15-17 (from the model's own to the newest the installed onnx defines)",
      parseOpsetList,
    )
    .option(
      '-t, --targets <ids>',
      'comma-separated target ids; on each, the original is the reference of the converted models',
      DEFAULT_TARGETS,
    )
    .option('--out-dir <dir>', 'folder for the converted models (<model>.opset<N>.onnx)', DEFAULT_EXPORT_DIR)
    .option(
      '--rtol <r>',
      'relative tolerance (default: float32 1e-5, per-dtype defaults)',
      parseNonNegativeNumber('--rtol'),
    )
    .option('--atol <a>', 'absolute tolerance (default: float32 1e-5)', parseNonNegativeNumber('--atol'))
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on a target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option('-q, --quiet', 'print only the summary line');
  return addInputOptions(addReportFileOptions(cmd)).action(async (model: string, flags: UpgradeFlags) => {
    const targets = parseTargetList(flags.targets);
    const resolved = await resolveInputFlags(flags);
    const progress = process.stderr.isTTY && !flags.quiet;
    const report = await runOpsetUpgrade(model, {
      opsets: flags.opset,
      targets,
      outDir: flags.outDir,
      seed: resolved.seed,
      defaultDim: flags.defaultDim,
      timeoutMs: flags.timeout * 1000,
      inputs: resolved.inputs,
      policy: resolved.policy,
      ...(resolved.tolerance ? { tolerance: resolved.tolerance } : {}),
      ...(resolved.dims ? { dims: resolved.dims } : {}),
      ...(resolved.shapes ? { shapes: resolved.shapes } : {}),
      onCase: (c, i, n) => {
        if (progress) process.stderr.write(`[${i}/${n}] ${c.verdict} ${c.id}\n`);
      },
    });
    if (flags.json) await writeJsonReport(flags.json, report);
    process.stdout.write(`${renderConsole(flags.quiet ? { ...report, cases: [] } : report)}\n`);
    process.stdout.write(`converted models in ${flags.outDir}\n`);
    if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
    for (const line of await writeReportFiles(report, flags)) process.stdout.write(`${line}\n`);
    process.exitCode = exitCodeForReport(report);
  });
}
