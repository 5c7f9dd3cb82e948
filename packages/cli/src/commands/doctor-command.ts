import { Command } from 'commander';
import { runDoctor } from '@crossrt/harness';
import { textTable } from '@crossrt/report';
import { EXIT } from '../exit-codes.js';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      'what this installation has and lacks (runtimes, Chromium, tfjs-node, Python with torch/onnx, the CUDA-download skip), with the command that installs each missing part',
    )
    .option('--json', 'print JSON instead of a table')
    .action((flags: { json?: boolean }) => {
      const report = runDoctor();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const rows = report.checks.map((c) => [
          c.status === 'ok' ? 'ok' : c.status === 'warn' ? 'warn' : c.required ? 'MISSING' : 'missing',
          c.component,
          c.enables,
          c.detail,
        ]);
        const fixes = report.checks.filter((c) => c.fix);
        process.stdout.write(`${textTable(['status', 'component', 'for', 'found'], rows).join('\n')}\n`);
        if (fixes.length)
          process.stdout.write(
            `\nto install what is missing:\n${fixes.map((c) => `  ${c.component}: ${c.fix}`).join('\n')}\n`,
          );
        process.stdout.write(
          `\n${report.ok ? 'every required part is installed' : 'a required part is missing'}; \`crossrt targets\` probes each target for real\n`,
        );
      }
      // Optional parts only disable targets or commands; a required one missing means nothing can run.
      process.exitCode = report.ok ? EXIT.OK : EXIT.DISCREPANCY;
    });
}
