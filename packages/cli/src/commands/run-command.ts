import { Command } from 'commander';
import { CrossrtError, type PlacementPolicy } from '@crossrt/core';
import {
  checkReferenceCommandTemplate,
  DEFAULT_REFERENCE_TIMEOUT_SECONDS,
  loadCompareHook,
  runDifferential,
} from '@crossrt/harness';
import { renderConsole, writeJsonReport, writeReportFiles } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForReport } from '../exit-codes.js';
import { parseInteger, parseNonNegativeNumber, parsePlacementPolicy, PLACEMENT_FLAG_HELP } from '../option-parsers.js';
import { DEFAULT_TARGETS } from '../default-targets.js';
import { addInputOptions, resolveInputFlags, type InputFlags } from './input-flags.js';
import { addReportFileOptions } from './report-file-flags.js';

interface RunFlags extends InputFlags {
  targets: string;
  defaultDim: number;
  json?: string;
  junit?: string;
  markdown?: string;
  html?: string;
  timeout: number;
  quiet?: boolean;
  placementLog?: boolean;
  placement?: PlacementPolicy;
  referenceCommand?: string;
  referenceTimeout?: number;
  repeat: number;
  noiseFloor?: number;
  compare?: string;
  dimSearch: boolean;
}

export function runCommand(): Command {
  const cmd = new Command('run')
    .description(
      'run model(s) on several targets with the same seeded inputs and compare every output against the first target (or against a --reference-command)',
    )
    .argument('<models...>', '.onnx model file(s)')
    .option(
      '-t, --targets <ids>',
      'comma-separated target ids; the first is the reference (unless --reference-command)',
      DEFAULT_TARGETS,
    )
    .option('--rtol <r>', 'relative tolerance (default 1e-5)', parseNonNegativeNumber('--rtol'))
    .option('--atol <a>', 'absolute tolerance (default 1e-5)', parseNonNegativeNumber('--atol'))
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on a target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option(
      '--reference-command <cmd>',
      "judge every target against this shell command's outputs instead of the first target: " +
        'it runs once per input set; {inputs} is replaced by the path of an .npz holding the inputs (one array per model input), ' +
        '{outputs} by the path of the .npz it must write (one array per model output, by name, or in output order), {model} by the model path',
    )
    .option(
      '--reference-timeout <seconds>',
      `time limit per run of the reference command (default ${DEFAULT_REFERENCE_TIMEOUT_SECONDS}); its process group is killed`,
      parseNonNegativeNumber('--reference-timeout'),
    )
    .option(
      '--repeat <n>',
      'run each input set n times per target: run-to-run jitter per output, `nondeterministic` flagged',
      parseInteger('--repeat', 1),
      1,
    )
    .option(
      '--noise-floor <k>',
      "raise each output's atol to k × the reference target's own jitter (needs --repeat >= 2)",
      parseNonNegativeNumber('--noise-floor'),
    )
    .option(
      '--compare <module.mjs>',
      'an ES module whose default export judges each output pair ({output, target, reference, actual, expected, metrics, tolerance}) and returns {verdict: "pass"|"mismatch", reason}',
    )
    .option(
      '--no-dim-search',
      'keep guessed dims even when a target refuses them (default: search for dims that run and report each try)',
    )
    .option(
      '--placement-log',
      "parse ORT's node placement log on CPU/WASM targets too (GPU targets always; single-EP targets are placed by construction)",
    )
    .option('--placement <policy>', PLACEMENT_FLAG_HELP, parsePlacementPolicy)
    .option('-q, --quiet', 'print only the summary line');
  return addInputOptions(addReportFileOptions(cmd)).action(async (models: string[], flags: RunFlags) => {
    const targets = parseTargetList(flags.targets);
    if (flags.referenceCommand !== undefined) checkReferenceCommandTemplate(flags.referenceCommand);
    if (flags.referenceTimeout === 0)
      throw new CrossrtError('USAGE', '--reference-timeout must be more than 0 seconds', 'e.g. --reference-timeout 60');
    if (flags.referenceCommand === undefined && flags.referenceTimeout !== undefined)
      throw new CrossrtError(
        'USAGE',
        '--reference-timeout needs --reference-command',
        'add --reference-command "<cmd> {inputs} {outputs}"',
      );
    const referenceCommand =
      flags.referenceCommand !== undefined
        ? {
            command: flags.referenceCommand,
            ...(flags.referenceTimeout !== undefined ? { timeoutSeconds: flags.referenceTimeout } : {}),
          }
        : undefined;
    if (flags.noiseFloor !== undefined && flags.repeat < 2)
      throw new CrossrtError(
        'USAGE',
        '--noise-floor needs --repeat 2 or more',
        'the floor is a multiple of the jitter the repeated runs show, e.g. --repeat 5 --noise-floor 3',
      );
    const resolved = await resolveInputFlags(flags);
    const compareHook = flags.compare ? await loadCompareHook(flags.compare) : undefined;
    const { tolerance, dims, shapes } = resolved;
    const progress = process.stderr.isTTY && !flags.quiet;
    const report = await runDifferential(models, {
      targets,
      seed: resolved.seed,
      defaultDim: flags.defaultDim,
      timeoutMs: flags.timeout * 1000,
      placementLog: flags.placementLog ? 'always' : 'auto',
      ...(flags.placement ? { placement: flags.placement } : {}),
      inputs: resolved.inputs,
      policy: resolved.policy,
      ...(tolerance ? { tolerance } : {}),
      ...(dims ? { dims } : {}),
      ...(shapes ? { shapes } : {}),
      ...(referenceCommand ? { referenceCommand } : {}),
      repeat: flags.repeat,
      ...(flags.noiseFloor !== undefined ? { noiseFloor: flags.noiseFloor } : {}),
      ...(compareHook ? { compareHook } : {}),
      dimSearch: flags.dimSearch,
      onCase: (c, i, n) => {
        if (progress) process.stderr.write(`[${i + 1}/${n}] ${c.verdict} ${c.id}\n`);
      },
    });
    if (flags.json) await writeJsonReport(flags.json, report);
    // Case errors also go to stderr as one line each, so scripts see them without parsing the table.
    for (const c of report.cases) if (c.error) process.stderr.write(`crossrt: ${c.error.code}: ${c.error.message}\n`);
    const text = flags.quiet ? renderConsole({ ...report, cases: [] }) : renderConsole(report);
    process.stdout.write(`${text}\n`);
    if (flags.json) process.stdout.write(`report written to ${flags.json}\n`);
    for (const line of await writeReportFiles(report, flags)) process.stdout.write(`${line}\n`);
    process.exitCode = exitCodeForReport(report);
  });
}
