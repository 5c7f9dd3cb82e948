import { Command } from 'commander';
import { probeTargets } from '@crossrt/harness';
import { textTable } from '@crossrt/report';

export function targetsCommand(): Command {
  return new Command('targets')
    .description('list every known target, probed in its own host process: available or not, and why')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { json?: boolean }) => {
      const rows = await probeTargets();
      if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else
        process.stdout.write(
          `${textTable(
            ['target', 'status', 'reason'],
            rows.map((r) => [r.target, r.available ? 'available' : 'unavailable', r.reason]),
          ).join('\n')}\n`,
        );
    });
}
