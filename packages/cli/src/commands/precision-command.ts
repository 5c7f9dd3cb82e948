import { Command } from 'commander';
import { CrossrtError, type PlacementPolicy } from '@crossrt/core';
import {
  DEFAULT_MAX_TRIALS,
  DEFAULT_PRECISION_POLICY,
  describePolicy,
  parsePrecisionPolicy,
  readBlockList,
  runPrecisionSearch,
  type PrecisionProgress,
} from '@crossrt/harness';
import { DEFAULT_FP32_OPS } from '@crossrt/model';
import { precisionLines, writeJsonReport, writeReportFiles } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { EXIT, exitCodeForReport } from '../exit-codes.js';
import { parseInteger, parseNonNegativeNumber, parsePlacementPolicy, PLACEMENT_FLAG_HELP } from '../option-parsers.js';
import { addInputOptions, resolveInputFlags, type InputFlags } from './input-flags.js';
import { addReportFileOptions, type ReportFileFlags } from './report-file-flags.js';

interface PrecisionFlags extends InputFlags, ReportFileFlags {
  to: string;
  targets: string;
  policy?: string;
  keepIo: boolean;
  keepOps?: string;
  maxTrials: number;
  maxFp32Nodes?: number;
  outModel?: string;
  blockList?: string;
  check?: string;
  dimSearch: boolean;
  defaultDim: number;
  timeout: number;
  quiet?: boolean;
  placement?: PlacementPolicy;
}

const DEFAULT_POLICY_TEXT = `snr=${DEFAULT_PRECISION_POLICY.minSnrDb},cosine=${DEFAULT_PRECISION_POLICY.minCosine},top1=${DEFAULT_PRECISION_POLICY.minTop1}`;

export function precisionCommand(): Command {
  const cmd = new Command('precision')
    .description(
      "convert a float32 model to float16 with crossrt's converter and search, with real runs, the smallest set of nodes to keep in float32 so the mixed model meets a policy against the float32 model on every target",
    )
    .argument('<model>', 'float32 .onnx model (external data kept; If/Loop/Scan bodies converted too)')
    .option('--to <precision>', 'target precision (fp16)', 'fp16')
    .option(
      '-t, --targets <ids>',
      'targets the mixed model must meet the policy on (each judged against the float32 model on the same target)',
      'ort-node:cpu',
    )
    .option(
      '--policy <spec>',
      `what "meets" means, per output: snr=<dB>, cosine=<c>, top1=<agreement on class scores>, allclose[:rtol=..,atol=..] (default ${DEFAULT_POLICY_TEXT})`,
    )
    .option('--no-keep-io', 'float16 graph inputs and outputs (default: keep them float32, with Casts at the boundary)')
    .option(
      '--keep-ops <ops>',
      `op types kept float32 in addition to the default list (${[...DEFAULT_FP32_OPS].slice(0, 4).join(', ')}, …)`,
    )
    .option(
      '--max-trials <n>',
      'mixed-model trials the search may run (each trial: one load and run per target)',
      parseInteger('--max-trials', 1),
      DEFAULT_MAX_TRIALS,
    )
    .option(
      '--max-fp32-nodes <n>',
      'CI gate: exit 1 when the block-list needs more float32 nodes than this',
      parseInteger('--max-fp32-nodes', 0),
    )
    .option(
      '--check <block-list.json>',
      'CI gate: judge this block-list (as --block-list wrote it) instead of searching; exit 1 when its mixed model misses the policy',
    )
    .option(
      '--out-model <file>',
      'write the mixed-precision model here (self-contained under 2 GiB, else with <file>.data)',
    )
    .option('--block-list <file>', 'write the block-list JSON (node names and op types) here')
    .option('--no-dim-search', 'keep guessed dims even when the float32 model refuses them')
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on a target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option('--placement <policy>', PLACEMENT_FLAG_HELP, parsePlacementPolicy)
    .option('-q, --quiet', 'print only the summary');
  return addInputOptions(addReportFileOptions(cmd)).action(async (model: string, flags: PrecisionFlags) => {
    if (flags.to !== 'fp16')
      throw new CrossrtError(
        'USAGE',
        `--to ${flags.to} is not supported`,
        'crossrt precision converts to fp16 (for int8 use `crossrt quantize` and `crossrt quant-error`)',
      );
    const resolved = await resolveInputFlags(flags);
    const policy = flags.policy ? parsePrecisionPolicy(flags.policy) : DEFAULT_PRECISION_POLICY;
    const check = flags.check ? await readBlockList(flags.check) : undefined;
    const extraOps = (flags.keepOps ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const progress = process.stderr.isTTY && !flags.quiet && !process.env['CI'];
    const onProgress = (p: PrecisionProgress) => {
      if (!progress) return;
      const what =
        p.step === 'reference'
          ? 'float32 reference'
          : p.step === 'analysis'
            ? 'measuring per-tensor error'
            : `trial ${p.trials}/${p.maxTrials} ${p.step}: ${p.fp32Nodes} node(s) float32 → ${p.pass ? 'pass' : 'fail'}`;
      process.stderr.write(`\r\x1b[2K${what}`);
    };
    const { report, search } = await runPrecisionSearch({
      model,
      targets: parseTargetList(flags.targets),
      precisionPolicy: policy,
      keepIoTypes: flags.keepIo,
      maxTrials: flags.maxTrials,
      seed: resolved.seed,
      defaultDim: flags.defaultDim,
      inputs: resolved.inputs,
      timeoutMs: flags.timeout * 1000,
      dimSearch: flags.dimSearch,
      onProgress,
      ...(extraOps.length ? { keepOps: new Set([...DEFAULT_FP32_OPS, ...extraOps]) } : {}),
      ...(resolved.dims ? { dims: resolved.dims } : {}),
      ...(resolved.shapes ? { shapes: resolved.shapes } : {}),
      ...(flags.placement ? { placement: flags.placement } : {}),
      ...(flags.outModel ? { outModel: flags.outModel } : {}),
      ...(flags.blockList ? { outBlockList: flags.blockList } : {}),
      ...(check ? { checkBlockList: check.nodes } : {}),
    });
    if (progress) process.stderr.write('\r\x1b[2K');
    if (flags.json) await writeJsonReport(flags.json, report);
    const lines = precisionLines(search);
    process.stdout.write(
      `${(flags.quiet ? lines.slice(0, 1) : [`policy: ${describePolicy(policy)}`, ...lines, ...search.notes.map((n) => `note: ${n}`)]).join('\n')}\n`,
    );
    if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
    for (const line of await writeReportFiles(report, flags)) process.stdout.write(`${line}\n`);
    let exit = exitCodeForReport(report);
    if (exit === EXIT.OK && flags.maxFp32Nodes !== undefined && search.blockList.length > flags.maxFp32Nodes) {
      process.stdout.write(
        `gate: the block-list needs ${search.blockList.length} float32 node(s), more than --max-fp32-nodes ${flags.maxFp32Nodes}\n`,
      );
      exit = EXIT.DISCREPANCY;
    }
    process.exitCode = exit;
  });
}
