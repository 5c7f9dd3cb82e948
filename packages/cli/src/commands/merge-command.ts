import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CrossrtError } from '@crossrt/core';
import { mergeReports } from '@crossrt/harness';
import { renderConsole, writeJsonReport } from '@crossrt/report';
import { exitCodeForReport } from '../exit-codes.js';

export function mergeCommand(): Command {
  return new Command('merge')
    .description('join shard reports (crossrt suite run --shard i/n --json ...) into one report')
    .argument('<reports...>', 'JSON report files, one per shard')
    .requiredOption('--json <file>', 'where to write the merged report')
    .option('-q, --quiet', 'print only the summary line')
    .action(async (files: string[], flags: { json: string; quiet?: boolean }) => {
      const reports = [];
      for (const f of files) {
        let text: string;
        try {
          text = await readFile(f, 'utf8');
        } catch {
          throw new CrossrtError('FILE_NOT_FOUND', `report not found: ${f}`);
        }
        try {
          reports.push(JSON.parse(text));
        } catch {
          throw new CrossrtError('REPORT_INVALID', `${f} is not JSON`, 'pass reports written with --json');
        }
      }
      const merged = mergeReports(reports, files);
      await writeJsonReport(flags.json, merged);
      process.stdout.write(`${renderConsole({ ...merged, cases: flags.quiet ? [] : merged.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skipped') })}\nmerged ${files.length} report(s) into ${flags.json}\n`);
      process.exitCode = exitCodeForReport(merged);
    });
}
