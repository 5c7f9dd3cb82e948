import { Command, Option } from 'commander';
import { readReportFile, renderReport, REPORT_FORMATS, writeRenderedReport, type ReportFormat } from '@crossrt/report';
import { exitCodeForReport } from '../exit-codes.js';
import { parseInteger } from '../option-parsers.js';

interface ReportFlags {
  format: ReportFormat;
  out?: string;
  top?: number;
  maxAnnotations?: number;
  detail?: boolean;
  check?: boolean;
}

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'render a saved JSON report as console text, JSON, JUnit XML, Markdown (PR comment), GitHub annotations or self-contained HTML',
    )
    .argument('<report>', 'JSON report written with --json (run, conformance, suite run, merge)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(REPORT_FORMATS).default('console'))
    .option('-o, --out <file>', 'write here instead of stdout')
    .option('--top <n>', 'rows in the largest-discrepancies table (console 5, markdown 10)', parseInteger('--top', 1))
    .option(
      '--max-annotations <n>',
      'github: annotations before the rest are summarised (default 50)',
      parseInteger('--max-annotations', 0),
    )
    .option('--detail', 'console: every case in full before the summary')
    .option('--check', 'exit 1 when the report has discrepancies or run failures, as the run that wrote it did')
    .action(async (file: string, flags: ReportFlags) => {
      const report = await readReportFile(file);
      const text = renderReport(report, flags.format, {
        color: !flags.out && process.stdout.isTTY === true && !process.env['NO_COLOR'],
        workspace: process.env['GITHUB_WORKSPACE'] ?? process.cwd(),
        ...(flags.detail ? { detail: true } : {}),
        ...(flags.top !== undefined ? { topN: flags.top } : {}),
        ...(flags.maxAnnotations !== undefined ? { maxAnnotations: flags.maxAnnotations } : {}),
      });
      if (flags.out) {
        await writeRenderedReport(flags.out, text);
        process.stderr.write(`${flags.format} report written to ${flags.out}\n`);
      } else {
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
      process.exitCode = flags.check ? exitCodeForReport(report) : 0;
    });
}
