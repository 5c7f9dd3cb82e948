import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { mapConcurrent } from '@crossrt/harness';
import type { Availability } from '@crossrt/core';
import { textTable } from '@crossrt/report';
import { TARGET_CATALOGUE, TargetHost } from '@crossrt/runtime';

export function targetsCommand(): Command {
  return new Command('targets')
    .description('list every known target, probed in its own host process: available or not, and why')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { json?: boolean }) => {
      // One probe per core at a time (each starts a host, five start a browser): ~8 s → ~7 s on 2 cores,
      // where the browsers' start-up CPU is what remains.
      const rows = await mapConcurrent(TARGET_CATALOGUE, availableParallelism(), async (target): Promise<Availability & { description: string }> => {
        const host = new TargetHost(target, { timeoutMs: 60_000 });
        try {
          const p = await host.probe();
          return { target: target.id, available: p.available, reason: p.reason, ...(p.runtimeVersion ? { runtimeVersion: p.runtimeVersion } : {}), description: target.description };
        } catch (e) {
          return { target: target.id, available: false, reason: `probe failed: ${(e as Error).message}`, description: target.description };
        } finally {
          await host.close();
        }
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(`${textTable(['target', 'status', 'reason'], rows.map((r) => [r.target, r.available ? 'available' : 'unavailable', r.reason])).join('\n')}\n`);
    });
}
