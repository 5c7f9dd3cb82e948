import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { CrossrtError, type PlacementPolicy, type Tolerance } from '@crossrt/core';
import { ORACLE_TOLERANCE } from '@crossrt/compare';
import {
  DEFAULT_ORACLE_BATCH,
  DEFAULT_ORACLE_JOBS,
  readKnownFailuresFiles,
  readToleranceOverrides,
  runOracleCases,
  type CaseTolerances,
} from '@crossrt/harness';
import { findBackendTestCases } from '@crossrt/model';
import { buildConformanceMatrix, renderConformanceMatrix, renderConsole, writeJsonReport } from '@crossrt/report';
import { parseTargetList } from '@crossrt/runtime';
import { exitCodeForConformance } from '../exit-codes.js';
import { parseInteger, parseNonNegativeNumber, parsePlacementPolicy, PLACEMENT_FLAG_HELP } from '../option-parsers.js';
import { DEFAULT_TARGETS } from '../default-targets.js';

interface ConformanceFlags {
  placementLog?: boolean;
  placement?: PlacementPolicy;
  jobs: number;
  hostsPerTarget: number;
  batch: number;
  targets: string;
  rtol?: number;
  atol?: number;
  json?: string;
  timeout: number;
  quiet?: boolean;
  knownFailures?: string[];
  caseTolerance?: CaseTolerances;
  tolerances?: string;
  matrix: 'failing' | 'all' | 'none';
  matrixJson?: string;
  cases?: boolean;
}

/** `--case-tolerance test_x=1e-2,1e-5` (rtol, atol), repeatable. */
function parseCaseTolerance(text: string, acc: CaseTolerances = {}): CaseTolerances {
  const m = /^([^=]+)=([^,]+),([^,]+)$/.exec(text);
  const rtol = Number(m?.[2]);
  const atol = Number(m?.[3]);
  if (!m || !(rtol >= 0) || !(atol >= 0))
    throw new CrossrtError(
      'USAGE',
      `--case-tolerance expects case=rtol,atol, got "${text}"`,
      'e.g. --case-tolerance test_gelu_tanh_1=1e-2,1e-5',
    );
  return { ...acc, [m[1]!]: { rtol, atol } };
}

const collect = (v: string, acc: string[] = []) => [...acc, v];

export function conformanceCommand(): Command {
  return new Command('conformance')
    .description(
      'run ONNX backend test cases (model.onnx + test_data_set_N) and compare each target against the expected outputs',
    )
    .argument('<dirs...>', 'test-case dirs, or folders of them (e.g. /usr/share/libonnx-testdata/data/node)')
    .option('-t, --targets <ids>', 'comma-separated target ids', DEFAULT_TARGETS)
    .option('--rtol <r>', `relative tolerance (default ${ORACLE_TOLERANCE.rtol})`, parseNonNegativeNumber('--rtol'))
    .option('--atol <a>', `absolute tolerance (default ${ORACLE_TOLERANCE.atol})`, parseNonNegativeNumber('--atol'))
    .option(
      '--case-tolerance <case=rtol,atol>',
      'tolerance for one case (name or suite/name), repeatable',
      parseCaseTolerance,
    )
    .option(
      '--tolerances <file>',
      'per-case overrides, onnxruntime overrides.jsonc shape: {"atol_overrides": {"test_x": 1e-4}, "rtol_overrides": {…}}',
    )
    .option(
      '-k, --known-failures <file>',
      'known-failures JSON for one target (repeatable, one per target): only new failures fail the run',
      collect,
    )
    .option('--matrix <rows>', 'matrix rows to print: failing, all, none', 'failing')
    .option(
      '--matrix-json <file>',
      'write the case × target matrix (cells, totals, failing ops, known failures) as JSON',
    )
    .option('--cases', 'also print the per-case detail (outcomes and comparison tables)')
    .option('--json <file>', 'write the versioned JSON report here')
    .option(
      '--timeout <seconds>',
      'time limit per load and per run on a target',
      parseNonNegativeNumber('--timeout'),
      120,
    )
    .option(
      '--placement-log',
      "parse ORT's node placement log on CPU/WASM targets too (GPU targets always; single-EP targets are placed by construction)",
    )
    .option('--placement <policy>', PLACEMENT_FLAG_HELP, parsePlacementPolicy)
    .option(
      '-j, --jobs <n>',
      `cases in flight at once (reading, running, comparing overlap; default ${DEFAULT_ORACLE_JOBS})`,
      parseInteger('--jobs', 1),
      DEFAULT_ORACLE_JOBS,
    )
    .option(
      '--hosts-per-target <n>',
      'host processes per target (more only helps when session creation dominates)',
      parseInteger('--hosts-per-target', 1),
      1,
    )
    .option(
      '--batch <n>',
      `cases per host round trip on CPU/WASM targets in Node (1 = one case per request; default ${DEFAULT_ORACLE_BATCH})`,
      parseInteger('--batch', 1),
      DEFAULT_ORACLE_BATCH,
    )
    .option('-q, --quiet', 'print only the totals')
    .action(async (dirs: string[], flags: ConformanceFlags) => {
      if (!['failing', 'all', 'none'].includes(flags.matrix))
        throw new CrossrtError('USAGE', `--matrix expects failing, all or none, got "${flags.matrix}"`);
      const targets = parseTargetList(flags.targets);
      const knownFailures = await readKnownFailuresFiles(flags.knownFailures ?? []);
      const unused = knownFailures.filter((k) => !targets.some((t) => t.id === k.target));
      if (unused.length > 0)
        throw new CrossrtError(
          'USAGE',
          `known-failures file for ${unused.map((k) => k.target).join(', ')}, which is not among --targets`,
          `add the target or drop the file`,
        );
      const caseDirs = await findBackendTestCases(dirs);
      let tolerance: Tolerance | undefined =
        flags.rtol !== undefined || flags.atol !== undefined
          ? { rtol: flags.rtol ?? ORACLE_TOLERANCE.rtol, atol: flags.atol ?? ORACLE_TOLERANCE.atol, source: 'cli' }
          : undefined;
      let caseTolerances: CaseTolerances = {};
      if (flags.tolerances) {
        const file = await readToleranceOverrides(flags.tolerances, tolerance ?? ORACLE_TOLERANCE);
        if (file.rtol !== (tolerance ?? ORACLE_TOLERANCE).rtol || file.atol !== (tolerance ?? ORACLE_TOLERANCE).atol)
          tolerance = { rtol: file.rtol, atol: file.atol, source: 'config' };
        caseTolerances = file.cases;
      }
      caseTolerances = { ...caseTolerances, ...flags.caseTolerance };
      const progress = process.stderr.isTTY && !flags.quiet;
      const report = await runOracleCases(caseDirs, {
        targets,
        timeoutMs: flags.timeout * 1000,
        placementLog: flags.placementLog ? 'always' : 'auto',
        ...(flags.placement ? { placement: flags.placement } : {}),
        ...(tolerance ? { tolerance } : {}),
        caseTolerances,
        jobs: flags.jobs,
        hostsPerTarget: flags.hostsPerTarget,
        batchSize: flags.batch,
        onCase: (c, done, n) => {
          if (progress) process.stderr.write(`\r[${done}/${n}] ${c.verdict.padEnd(7)} ${c.id.slice(-60).padEnd(60)}`);
        },
      });
      if (progress) process.stderr.write('\n');
      const matrix = buildConformanceMatrix(report, knownFailures);
      if (flags.json) await writeJsonReport(flags.json, report);
      if (flags.matrixJson) {
        await mkdir(dirname(flags.matrixJson), { recursive: true });
        await writeFile(flags.matrixJson, `${JSON.stringify(matrix, null, 2)}\n`);
      }
      if (flags.cases && !flags.quiet) process.stdout.write(`${renderConsole(report)}\n\n`);
      process.stdout.write(`${renderConformanceMatrix(matrix, { rows: flags.quiet ? 'none' : flags.matrix })}\n`);
      process.exitCode = exitCodeForConformance(matrix);
    });
}
