import { Command } from 'commander';
import { ORACLE_TOLERANCE } from '@crossrt/compare';
import { runOracleCases } from '@crossrt/harness';
import { findBackendTestCases } from '@crossrt/model';
import { renderConsole, writeJsonReport } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForReport } from '../exit-codes.js';
import { parseNonNegativeNumber } from '../option-parsers.js';
import { DEFAULT_TARGETS } from './run-command.js';

interface ConformanceFlags { targets: string; rtol?: number; atol?: number; json?: string; timeout: number; quiet?: boolean }

export function conformanceCommand(): Command {
  return new Command('conformance')
    .description('run ONNX backend test cases (model.onnx + test_data_set_N) and compare each target against the expected outputs')
    .argument('<dirs...>', 'test-case dirs, or folders of them (e.g. /usr/share/libonnx-testdata/data/node)')
    .option('-t, --targets <ids>', 'comma-separated target ids', DEFAULT_TARGETS)
    .option('--rtol <r>', `relative tolerance (default ${ORACLE_TOLERANCE.rtol})`, parseNonNegativeNumber('--rtol'))
    .option('--atol <a>', `absolute tolerance (default ${ORACLE_TOLERANCE.atol})`, parseNonNegativeNumber('--atol'))
    .option('--json <file>', 'write the versioned JSON report here')
    .option('--timeout <seconds>', 'per-request limit for a target (load, run)', parseNonNegativeNumber('--timeout'), 120)
    .option('-q, --quiet', 'print only the summary line')
    .action(async (dirs: string[], flags: ConformanceFlags) => {
      const targets = parseTargetList(flags.targets);
      const caseDirs = await findBackendTestCases(dirs);
      const tolerance = flags.rtol !== undefined || flags.atol !== undefined
        ? { rtol: flags.rtol ?? ORACLE_TOLERANCE.rtol, atol: flags.atol ?? ORACLE_TOLERANCE.atol, source: 'cli' as const }
        : undefined;
      const progress = process.stderr.isTTY && !flags.quiet;
      const report = await runOracleCases(caseDirs, {
        targets, timeoutMs: flags.timeout * 1000, ...(tolerance ? { tolerance } : {}),
        onCase: (c, i, n) => { if (progress) process.stderr.write(`\r[${i + 1}/${n}] ${c.verdict.padEnd(7)} ${c.id.slice(-60).padEnd(60)}`); },
      });
      if (progress) process.stderr.write('\n');
      if (flags.json) await writeJsonReport(flags.json, report);
      process.stdout.write(`${renderConsole(flags.quiet ? { ...report, cases: [] } : report)}\n`);
      process.exitCode = exitCodeForReport(report);
    });
}
