import { basename, resolve } from 'node:path';
import { Command } from 'commander';
import { CrossrtError } from '@crossrt/core';
import { loadFormatPair, runFormatPairs, type FormatPair, type PairCaseSummary, type TensorMapping } from '@crossrt/harness';
import { renderConsole, writeJsonReport } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForReport } from '../exit-codes.js';
import { parseDimFlag, parseInteger, parseNonNegativeNumber, parseShapeFlag } from '../option-parsers.js';

export const DEFAULT_PAIR_TARGETS = 'ort-node:cpu,tfjs:cpu';

interface PairFlags {
  onnx?: string[]; tfjs?: string; targets: string; seed: number; rtol?: number; atol?: number;
  dim?: Record<string, number>; shape?: Record<string, number[]>; json?: string; timeout: number; quiet?: boolean;
}

/** `crossrt pair`: an ONNX model and its TF.js conversion (or the reverse) on the same inputs, outputs compared after mapping. */
export function pairCommand(): Command {
  return new Command('pair')
    .description('run an ONNX model and its TF.js counterpart on the same inputs (mapped across layouts) and show where the conversion went wrong')
    .argument('[pair]', 'crossrt-pair.json, or a folder holding one ({ "onnx", "tfjs", "inputs"?, "outputs"? })')
    .option('--onnx <files...>', 'ONNX artifact(s); several run side by side against the same TF.js model (overrides the config\'s)')
    .option('--tfjs <model.json>', 'TF.js model.json (overrides the config\'s)')
    .option('-t, --targets <ids>', 'comma-separated target ids, ONNX and TF.js ones; the first is the reference', DEFAULT_PAIR_TARGETS)
    .option('--seed <n>', 'input generation seed', parseInteger('--seed'), 0)
    .option('--rtol <r>', 'relative tolerance (default 1e-5)', parseNonNegativeNumber('--rtol'))
    .option('--atol <a>', 'absolute tolerance (default 1e-5)', parseNonNegativeNumber('--atol'))
    .option('--dim <name=value>', 'value of a symbolic dim (repeatable)', parseDimFlag)
    .option('--shape <input=AxB>', 'whole shape of one ONNX input (repeatable)', parseShapeFlag)
    .option('--json <file>', 'write the versioned JSON report here')
    .option('--timeout <seconds>', 'per-request limit for a target (load, run)', parseNonNegativeNumber('--timeout'), 120)
    .option('-q, --quiet', 'print only the mapping, diagnosis and summary')
    .action(async (configPath: string | undefined, flags: PairFlags) => {
      const targets = parseTargetList(flags.targets);
      const pairs = await pairsFromFlags(configPath, flags);
      const tolerance = flags.rtol !== undefined || flags.atol !== undefined
        ? { rtol: flags.rtol ?? 1e-5, atol: flags.atol ?? 1e-5, source: 'cli' as const }
        : undefined;
      const { report, pairs: summaries } = await runFormatPairs(pairs, {
        targets, seed: flags.seed, timeoutMs: flags.timeout * 1000,
        ...(tolerance ? { tolerance } : {}), ...(flags.dim ? { dims: flags.dim } : {}), ...(flags.shape ? { shapes: flags.shape } : {}),
      });
      if (flags.json) await writeJsonReport(flags.json, report);
      const lines = summaries.flatMap(pairSummaryLines);
      process.stdout.write(`${lines.join('\n')}\n\n${renderConsole(flags.quiet ? { ...report, cases: [] } : report)}\n`);
      if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
      process.exitCode = exitCodeForReport(report);
    });
}

async function pairsFromFlags(configPath: string | undefined, flags: PairFlags): Promise<FormatPair[]> {
  const base: FormatPair | undefined = configPath ? await loadFormatPair(configPath) : undefined;
  const tfjsPath = flags.tfjs ? resolve(flags.tfjs) : base?.tfjsPath;
  const onnxPaths = flags.onnx?.map((p) => resolve(p)) ?? (base ? [base.onnxPath] : []);
  if (!tfjsPath || onnxPaths.length === 0) {
    throw new CrossrtError('USAGE', 'a pair needs an ONNX model and a TF.js model.json', 'pass a crossrt-pair.json (or its folder), or --onnx model.onnx --tfjs tfjs/model.json');
  }
  return onnxPaths.map((onnxPath) => ({
    ...(base ?? { baseDir: process.cwd() }),
    name: onnxPaths.length > 1 || !base ? `${base?.name ?? basename(tfjsPath)} ⇄ ${basename(onnxPath)}` : base.name,
    onnxPath, tfjsPath,
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
