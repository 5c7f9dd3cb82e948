import { Command } from 'commander';
import { CrossrtError, type CaseResult, type Report } from '@crossrt/core';
import { runTorchSource } from '@crossrt/harness';
import { renderConsole, writeJsonReport, writeReportFiles } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForReport } from '../exit-codes.js';
import { collectKeyValue, parseInteger, parseNonNegativeNumber } from '../option-parsers.js';
import { DEFAULT_TARGETS } from '../default-targets.js';
import { addInputOptions, resolveInputFlags, type InputFlags } from './input-flags.js';
import { addReportFileOptions } from './report-file-flags.js';
import { renderCaseLocalization } from './localization-console.js';

interface TorchFlags extends InputFlags {
  targets: string;
  opset: number[];
  fold: string;
  dynamic?: Record<string, number[]>;
  dtype?: Record<string, string>;
  layerwise: string;
  layerSnr?: number;
  outDir: string;
  json?: string;
  junit?: string;
  markdown?: string;
  html?: string;
  timeout: number;
  quiet?: boolean;
  allModules?: boolean;
}

const parseOpsets = (text: string): number[] =>
  text.split(',').map((t) => {
    const v = Number(t.trim());
    if (!Number.isInteger(v) || v < 7 || v > 30)
      throw new CrossrtError('USAGE', `--opset expects opset numbers like 13,17, got "${t}"`);
    return v;
  });
const parseAxes = (text: string): number[] => text.split(',').map((t) => parseInteger('--dynamic axis')(t.trim()));
const FOLDS: Record<string, boolean[]> = { on: [true], off: [false], both: [true, false] };

export function torchCommand(): Command {
  const cmd = new Command('torch')
    .description(
      'export a PyTorch module with torch.onnx.export over an export matrix, run every export on the targets and PyTorch on the same inputs, judge every target against PyTorch and trace a divergence to the module',
    )
    .argument(
      '<callable>',
      'FILE.py:FUNCTION returning an nn.Module, or (module, {input name: shape}); the path is relative to the working directory',
    )
    .option('-t, --targets <ids>', 'comma-separated target ids, each judged against PyTorch', DEFAULT_TARGETS)
    .option('--opset <list>', 'opsets to export at, e.g. 13,17', parseOpsets, [17])
    .option('--fold <on|off|both>', 'torch.onnx.export do_constant_folding settings to export with', 'on')
    .option(
      '--dynamic <input=axes>',
      'also export with these axes of an input dynamic, e.g. x=0 (repeatable)',
      collectKeyValue('--dynamic', parseAxes),
    )
    .option(
      '--dtype <input=dtype>',
      'dtype of an input given by --shape (default float32; repeatable)',
      collectKeyValue('--dtype', (s) => s),
    )
    .option(
      '--layerwise <auto|always|off>',
      'compare every module output with the ONNX tensors of its export scope: when an output disagrees (auto), always, or never',
      'auto',
    )
    .option(
      '--layer-snr <dB>',
      'SNR floor of module outputs in layer-wise comparisons (default 100 dB)',
      parseNonNegativeNumber('--layer-snr'),
    )
    .option('--out-dir <dir>', 'where the exported models are written (kept)', 'crossrt-exports')
    .option('--rtol <r>', 'relative tolerance (default 1e-3 against the source)', parseNonNegativeNumber('--rtol'))
    .option('--atol <a>', 'absolute tolerance (default 1e-5 against the source)', parseNonNegativeNumber('--atol'))
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on a target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option('--all-modules', 'print every module call of a layer-wise comparison, not only diverging ones')
    .option('-q, --quiet', 'print only the summary');
  return addInputOptions(addReportFileOptions(cmd)).action(async (callable: string, flags: TorchFlags) => {
    const targets = parseTargetList(flags.targets);
    const fold = FOLDS[flags.fold];
    if (!fold) throw new CrossrtError('USAGE', `--fold expects on, off or both, got "${flags.fold}"`);
    if (!['auto', 'always', 'off'].includes(flags.layerwise))
      throw new CrossrtError('USAGE', `--layerwise expects auto, always or off, got "${flags.layerwise}"`);
    const resolved = await resolveInputFlags(flags);
    const progress = process.stderr.isTTY && !flags.quiet;
    const report = await runTorchSource({
      callable,
      targets,
      seed: resolved.seed,
      inputs: resolved.inputs,
      outDir: flags.outDir,
      timeoutMs: flags.timeout * 1000,
      matrix: { opsets: flags.opset, constantFolding: fold, ...(flags.dynamic ? { dynamicAxes: flags.dynamic } : {}) },
      layerwise: flags.layerwise as 'auto' | 'always' | 'off',
      ...(flags.layerSnr !== undefined ? { minLayerSnrDb: flags.layerSnr } : {}),
      ...(resolved.shapes ? { shapes: resolved.shapes } : {}),
      ...(flags.dtype ? { dtypes: flags.dtype } : {}),
      ...(resolved.tolerance ? { tolerance: resolved.tolerance } : {}),
      policy: resolved.policy,
      onCase: (c, i, n) => {
        if (progress) process.stderr.write(`[${i}/${n}] ${c.verdict} ${c.id}\n`);
      },
    });
    if (flags.json) await writeJsonReport(flags.json, report);
    for (const c of report.cases)
      if (c.error)
        process.stderr.write(
          `crossrt: ${c.error.code}: ${c.error.message}${c.error.hint ? `\n  hint: ${c.error.hint}` : ''}\n`,
        );
    process.stdout.write(
      `${renderTorchConsole(report, { quiet: flags.quiet === true, allModules: flags.allModules === true })}\n`,
    );
    if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
    for (const line of await writeReportFiles(report, flags)) process.stdout.write(`${line}\n`);
    process.exitCode = exitCodeForReport(report);
  });
}

/** Per export point: the converter failure class and why, then the usual matrix and each localization. */
export function renderTorchConsole(report: Report, options: { quiet: boolean; allModules: boolean }): string {
  const lines: string[] = [];
  const first = report.cases.find((c) => c.source)?.source;
  if (first)
    lines.push(
      `SOURCE ${first.callable} (${first.moduleClass}): torch ${first.frameworkVersion}, python ${first.python.version} at ${first.python.path} (${first.python.chosenBy})`,
    );
  for (const c of report.cases) lines.push(...caseLines(c));
  lines.push(renderConsole(options.quiet ? { ...report, cases: [] } : report));
  if (!options.quiet) {
    for (const c of report.cases)
      if (c.localization)
        lines.push(renderCaseLocalization(c, c.localization, { allNodes: options.allModules, quiet: false }));
  }
  return lines.join('\n');
}

function caseLines(c: CaseResult): string[] {
  const s = c.source;
  if (!s) return [`  ${c.verdict.toUpperCase()} ${c.id}${c.error ? `: ${c.error.code}: ${c.error.message}` : ''}`];
  const lines = [`  ${s.failureClass.toUpperCase()} ${c.id}: ${s.reason}`];
  if (s.exportError?.traceback.length) lines.push(...s.exportError.traceback.slice(-3).map((t) => `      ${t}`));
  if (s.checker && !s.checker.ok) lines.push(`      onnx.checker: ${s.checker.message ?? ''}`);
  if (s.warnings.length) lines.push(`      exporter warnings: ${s.warnings.length} (${s.warnings[0]})`);
  return lines;
}
