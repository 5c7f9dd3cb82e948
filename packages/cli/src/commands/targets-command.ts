import { Command } from 'commander';
import { textTable } from '@crossrt/report';
import { TARGET_CATALOGUE, TargetHost } from '@crossrt/runtime';

export function targetsCommand(): Command {
  return new Command('targets')
    .description('list every known target, probed in its own host process: available or not, and why')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { json?: boolean }) => {
      const rows = [];
      for (const target of TARGET_CATALOGUE) {
        const host = new TargetHost(target, { timeoutMs: 60_000 });
        try {
          const p = await host.probe();
          rows.push({ target: target.id, available: p.available, reason: p.reason, ...(p.runtimeVersion ? { runtimeVersion: p.runtimeVersion } : {}), description: target.description });
        } catch (e) {
          rows.push({ target: target.id, available: false, reason: `probe failed: ${(e as Error).message}`, description: target.description });
        } finally {
          await host.close();
        }
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(`${textTable(['target', 'status', 'reason'], rows.map((r) => [r.target, r.available ? 'available' : 'unavailable', r.reason])).join('\n')}\n`);
    });
}
