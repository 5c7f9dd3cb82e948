import { Command } from 'commander';
import { mergeReports } from '@crossrt/harness';
import { readReportFile, renderConsole, writeJsonReport } from '@crossrt/report';
import { exitCodeForReport } from '../exit-codes.js';

export function mergeCommand(): Command {
  return new Command('merge')
    .description('join shard reports (crossrt suite run --shard i/n --json ...) into one report')
    .argument('<reports...>', 'JSON report files, one per shard')
    .requiredOption('--json <file>', 'where to write the merged report')
    .option('-q, --quiet', 'print only the summary line')
    .action(async (files: string[], flags: { json: string; quiet?: boolean }) => {
      // Each file is read and schema-checked by the report package: a user's bad file exits 2, not 3.
      const reports = [];
      for (const f of files) reports.push(await readReportFile(f));
      const merged = mergeReports(reports, files);
      await writeJsonReport(flags.json, merged);
      process.stdout.write(
        `${renderConsole({ ...merged, cases: flags.quiet ? [] : merged.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skipped') })}\nmerged ${files.length} report(s) into ${flags.json}\n`,
      );
      process.exitCode = exitCodeForReport(merged);
    });
}
