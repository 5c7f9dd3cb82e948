import { Command, CommanderError } from 'commander';
import { CrossrtError, isCrossrtError } from '@crossrt/core';
import { CROSSRT_VERSION } from '@crossrt/harness';
import { HOST_MEMORY_RULE, MEMORY_LIMIT_ENV } from '@crossrt/runtime';
import { parseNonNegativeNumber } from './option-parsers.js';
import { compareCommand } from './commands/compare-command.js';
import { conformanceCommand } from './commands/conformance-command.js';
import { doctorCommand } from './commands/doctor-command.js';
import { initCommand } from './commands/init-command.js';
import { inspectCommand } from './commands/inspect-command.js';
import { localizeCommand } from './commands/localize-command.js';
import { mergeCommand } from './commands/merge-command.js';
import { pairCommand } from './commands/pair-command.js';
import { precisionCommand } from './commands/precision-command.js';
import { quantErrorCommand } from './commands/quant-error-command.js';
import { quantizeCommand } from './commands/quantize-command.js';
import { reduceCommand } from './commands/reduce-command.js';
import { reportCommand } from './commands/report-command.js';
import { runCommand } from './commands/run-command.js';
import { suiteCommand } from './commands/suite-command.js';
import { targetsCommand } from './commands/targets-command.js';
import { torchCommand } from './commands/torch-command.js';
import { upgradeCommand } from './commands/upgrade-command.js';
import { EXIT, exitCodeForError } from './exit-codes.js';

/** The crossrt binary: parse arguments, call the harness, map errors to exit codes. No logic here. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('crossrt')
    .description('differential testing of ONNX models across onnxruntime-node, onnxruntime-web and TensorFlow.js')
    .version(CROSSRT_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(usageLine(s)) })
    .option(
      '--memory-limit <MB>',
      `resident-memory limit of each host process tree, 0 for none (default per model: max(${HOST_MEMORY_RULE.floorMb}, ${HOST_MEMORY_RULE.modelFactor} × model + ${HOST_MEMORY_RULE.headroomMb}) MB, at most ${HOST_MEMORY_RULE.machineShare * 100}% of the machine; env ${MEMORY_LIMIT_ENV})`,
      parseNonNegativeNumber('--memory-limit'),
    )
    // Through the environment, so every host, the early ones' match and the report's settings read one value.
    .hook('preAction', (root) => {
      const mb = root.opts<{ memoryLimit?: number }>().memoryLimit;
      if (mb !== undefined) process.env[MEMORY_LIMIT_ENV] = String(mb);
    })
    .addCommand(runCommand())
    .addCommand(torchCommand())
    .addCommand(upgradeCommand())
    .addCommand(targetsCommand())
    .addCommand(doctorCommand())
    .addCommand(initCommand())
    .addCommand(conformanceCommand())
    .addCommand(compareCommand())
    .addCommand(inspectCommand())
    .addCommand(suiteCommand())
    .addCommand(mergeCommand())
    .addCommand(pairCommand())
    .addCommand(localizeCommand())
    .addCommand(reduceCommand())
    .addCommand(precisionCommand())
    .addCommand(quantizeCommand())
    .addCommand(quantErrorCommand())
    .addCommand(reportCommand());
  // Usage errors anywhere in the command tree must come back here (exit 2), not end the process.
  const overrideAll = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: (t) => process.stderr.write(usageLine(t)) });
    c.commands.forEach(overrideAll);
  };
  overrideAll(program);
  try {
    process.exitCode = undefined;
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with code 0; anything else commander rejects is a usage error.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (isCrossrtError(e)) {
      printError(e);
      return exitCodeForError(e.code);
    }
    process.stderr.write(
      `crossrt: INTERNAL: ${(e as Error)?.stack ?? String(e)}\n  hint: this is a bug in crossrt; please report it with the command line\n`,
    );
    return EXIT.INTERNAL;
  }
}

function printError(e: CrossrtError): void {
  process.stderr.write(`crossrt: ${e.code}: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
}

/** Commander's own complaints (unknown option, missing argument) in crossrt's one-line error form. */
function usageLine(text: string): string {
  const m = /^error: (.*)\n?$/s.exec(text);
  return m ? `crossrt: USAGE: ${m[1]!.trim()}\n  hint: see crossrt <command> --help\n` : text;
}
