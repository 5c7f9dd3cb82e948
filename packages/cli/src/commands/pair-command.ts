import { basename, resolve } from 'node:path';
import { Command } from 'commander';
import { CrossrtError, isCrossrtError } from '@crossrt/core';
import {
  describePerm,
  loadFormatPair,
  localizeFormatPair,
  runFormatPairs,
  targetFormat,
  type FormatPair,
  type PairCaseSummary,
  type PairLocalization,
  type TensorMapping,
} from '@crossrt/harness';
import { renderConsole, textTable, writeJsonReport } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForReport } from '../exit-codes.js';
import { parseDimFlag, parseInteger, parseNonNegativeNumber, parseShapeFlag } from '../option-parsers.js';

export const DEFAULT_PAIR_TARGETS = 'ort-node:cpu,tfjs:cpu';

interface PairFlags {
  onnx?: string[];
  tfjs?: string;
  targets: string;
  seed: number;
  rtol?: number;
  atol?: number;
  dim?: Record<string, number>;
  shape?: Record<string, number[]>;
  json?: string;
  timeout: number;
  quiet?: boolean;
  layers?: boolean;
}

/** `crossrt pair`: an ONNX model and its TF.js conversion (or the reverse) on the same inputs, outputs compared after mapping. */
export function pairCommand(): Command {
  return new Command('pair')
    .description(
      'run an ONNX model and its TF.js counterpart on the same inputs (mapped across layouts) and show where the conversion went wrong',
    )
    .argument('[pair]', 'crossrt-pair.json, or a folder holding one ({ "onnx", "tfjs", "inputs"?, "outputs"? })')
    .option(
      '--onnx <files...>',
      "ONNX artifact(s); several run side by side against the same TF.js model (overrides the config's)",
    )
    .option('--tfjs <model.json>', "TF.js model.json (overrides the config's)")
    .option(
      '-t, --targets <ids>',
      'comma-separated target ids, ONNX and TF.js ones; the first is the reference',
      DEFAULT_PAIR_TARGETS,
    )
    .option('--seed <n>', 'input generation seed', parseInteger('--seed'), 0)
    .option('--rtol <r>', 'relative tolerance (default 1e-5)', parseNonNegativeNumber('--rtol'))
    .option('--atol <a>', 'absolute tolerance (default 1e-5)', parseNonNegativeNumber('--atol'))
    .option('--dim <name=value>', 'value of a symbolic dim (repeatable)', parseDimFlag)
    .option('--shape <input=AxB>', 'whole shape of one ONNX input (repeatable)', parseShapeFlag)
    .option('--json <file>', 'write the versioned JSON report here')
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on a target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option('-q, --quiet', 'print only the mapping, diagnosis and summary')
    .option(
      '--layers',
      'also compare every TF.js layer output with the ONNX tensor named after it (layers models), to find the first layer that diverges',
    )
    .action(async (configPath: string | undefined, flags: PairFlags) => {
      const targets = parseTargetList(flags.targets);
      const pairs = await pairsFromFlags(configPath, flags);
      const tolerance =
        flags.rtol !== undefined || flags.atol !== undefined
          ? { rtol: flags.rtol ?? 1e-5, atol: flags.atol ?? 1e-5, source: 'cli' as const }
          : undefined;
      const { report, pairs: summaries } = await runFormatPairs(pairs, {
        targets,
        seed: flags.seed,
        timeoutMs: flags.timeout * 1000,
        ...(tolerance ? { tolerance } : {}),
        ...(flags.dim ? { dims: flags.dim } : {}),
        ...(flags.shape ? { shapes: flags.shape } : {}),
      });
      if (flags.json) await writeJsonReport(flags.json, report);
      const lines = summaries.flatMap(pairSummaryLines);
      process.stdout.write(
        `${lines.join('\n')}\n\n${renderConsole(flags.quiet ? { ...report, cases: [] } : report)}\n`,
      );
      if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
      if (flags.layers) {
        const onnx = targets.find((t) => targetFormat(t) === 'onnx')!;
        const tfjs = targets.find((t) => targetFormat(t) === 'tfjs')!;
        for (const pair of pairs) {
          try {
            const loc = await localizeFormatPair(
              pair,
              { onnx, tfjs },
              { seed: flags.seed, timeoutMs: flags.timeout * 1000, ...(tolerance ? { tolerance } : {}) },
            );
            process.stdout.write(`\n${layerLines(loc, onnx.id, tfjs.id).join('\n')}\n`);
          } catch (e) {
            // A pair whose layers cannot be compared (graph model, failed run) keeps its report; say why.
            if (!isCrossrtError(e)) throw e;
            process.stdout.write(`\nlayers of ${pair.name}: not compared: ${e.code}: ${e.message}\n`);
          }
        }
      }
      process.exitCode = exitCodeForReport(report);
    });
}

async function pairsFromFlags(configPath: string | undefined, flags: PairFlags): Promise<FormatPair[]> {
  const base: FormatPair | undefined = configPath ? await loadFormatPair(configPath) : undefined;
  const tfjsPath = flags.tfjs ? resolve(flags.tfjs) : base?.tfjsPath;
  const onnxPaths = flags.onnx?.map((p) => resolve(p)) ?? (base ? [base.onnxPath] : []);
  if (!tfjsPath || onnxPaths.length === 0) {
    throw new CrossrtError(
      'USAGE',
      'a pair needs an ONNX model and a TF.js model.json',
      'pass a crossrt-pair.json (or its folder), or --onnx model.onnx --tfjs tfjs/model.json',
    );
  }
  return onnxPaths.map((onnxPath) => ({
    ...(base ?? { baseDir: process.cwd() }),
    name: onnxPaths.length > 1 || !base ? `${base?.name ?? basename(tfjsPath)} ⇄ ${basename(onnxPath)}` : base.name,
    onnxPath,
    tfjsPath,
  }));
}

function mappingLine(kind: string, m: TensorMapping): string {
  return `  ${kind.padEnd(6)} ${m.onnx} ↔ ${m.tfjs}  [${m.source}] ${m.rule}`;
}

function pairSummaryLines(s: PairCaseSummary): string[] {
  return [
    `pair ${s.name}: ONNX ${s.onnx} ↔ TF.js ${s.tfjs}`,
    ...s.inputs.map((m) => mappingLine('input', m)),
    ...s.outputs.map((m) => mappingLine('output', m)),
    `  diagnosis: ${s.diagnosis.kind}: ${s.diagnosis.explanation}`,
  ];
}

function layerLines(loc: PairLocalization, onnxId: string, tfjsId: string): string[] {
  const fmt = (x: number | undefined) => (x === undefined ? '' : x === 0 ? '0' : x.toExponential(2));
  const rows = loc.layers.map((l) => [
    l.layer,
    l.onnxTensor ?? '-',
    l.mapping ? describePerm(l.mapping.perm) : '',
    l.comparison?.verdict ?? 'skipped',
    fmt(l.comparison?.metrics?.maxAbsError),
    l.skipped ?? '',
  ]);
  return [
    `layers of ${loc.pair} (${tfjsId} vs ${onnxId}, in the ONNX layout):`,
    ...textTable(['tfjs layer', 'onnx tensor', 'layout', 'verdict', 'max_abs', 'note'], rows).map((r) => `  ${r}`),
    loc.firstDivergence
      ? `  first divergence: layer ${loc.firstDivergence}: the conversion went wrong there or just before it`
      : '  every compared layer agrees',
  ];
}
