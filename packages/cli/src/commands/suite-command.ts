import { basename } from 'node:path';
import { Command } from 'commander';
import type { CaseResult, PlacementPolicy } from '@crossrt/core';
import { loadSuiteFile, runSuite, type SuiteProgress } from '@crossrt/harness';
import { renderConsole, writeJsonReport } from '@crossrt/report';
import { exitCodeForReport } from '../exit-codes.js';
import { parsePlacementPolicy, PLACEMENT_FLAG_HELP } from '../option-parsers.js';
import { resolveShard } from '../shard-env.js';

interface SuiteRunFlags {
  jsonl?: string;
  json?: string;
  resume?: boolean;
  shard?: string | false;
  saveBaseline?: string;
  baseline?: string;
  workDir?: string;
  quiet?: boolean;
  placement?: PlacementPolicy;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;

/**
 * Progress: a bar with ETA and the current case on a TTY; one plain line per finished case otherwise.
 * cli-progress (17 modules) loads only for the bar, not with every crossrt command.
 */
async function progressPrinter(quiet: boolean): Promise<{ onProgress: (p: SuiteProgress) => void; stop: () => void }> {
  if (quiet) return { onProgress: () => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const { SingleBar } = await import('cli-progress');
    const bar = new SingleBar({
      format: 'suite [{bar}] {value}/{total} | ETA {eta_formatted} | {current}',
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 20,
    });
    let started = false;
    return {
      onProgress: (p) => {
        if (!started) {
          bar.start(p.total, p.done, { current: '' });
          started = true;
        }
        bar.update(p.done, { current: p.current ?? p.finished?.id ?? '' });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let announced = false;
  return {
    onProgress: (p) => {
      if (p.finished)
        process.stderr.write(
          `[${p.done}/${p.total}] ${p.finished.verdict} ${p.finished.id} (${seconds(Date.now() - p.startedAt)} elapsed)\n`,
        );
      else if (p.done === p.resumed && p.resumed > 0 && p.current && !announced) {
        announced = true;
        process.stderr.write(`resuming: ${p.resumed}/${p.total} cases already in the stream\n`);
      }
    },
    stop: () => {},
  };
}

export function suiteCommand(): Command {
  const suite = new Command('suite').description(
    'run suite files (YAML/JSON): many models and test cases, converter steps, goldens, shards',
  );
  suite
    .command('run')
    .description('run a suite file; results stream to JSONL as each case finishes')
    .argument('<file>', 'suite file (.yaml, .yml or .json)')
    .option('--jsonl <file>', 'result stream (default out/<suite>[.shard-i-of-n].jsonl)')
    .option('--json <file>', 'write the final versioned JSON report here')
    .option('--resume', 'continue an interrupted run from its JSONL stream')
    .option(
      '--shard <i/n>',
      "run only shard i of n (deterministic split by plan position); default: the CI's parallel-job variables (CI_NODE_INDEX/CI_NODE_TOTAL, BUILDKITE_PARALLEL_JOB, CIRCLE_NODE_INDEX, JOB_COMPLETION_INDEX + CROSSRT_SHARD_COUNT, CROSSRT_SHARD_INDEX)",
    )
    .option('--no-shard', 'run the whole suite whatever the CI variables say')
    .option('--save-baseline <dir>', 'store every output as goldens in this folder')
    .option(
      '--baseline <dir>',
      'compare against the goldens in this folder; exit reflects regressions and new failures only',
    )
    .option('--work-dir <dir>', 'where converter steps write their artifacts')
    .option(
      '--placement <policy>',
      `${PLACEMENT_FLAG_HELP}; overrides the suite file's placement`,
      parsePlacementPolicy,
    )
    .option('-q, --quiet', 'no progress, only the summary line')
    .action(async (file: string, flags: SuiteRunFlags) => {
      const { shard, source: shardSource } = resolveShard(flags.shard);
      if (shard && flags.shard === undefined)
        process.stderr.write(`shard ${shard.index}/${shard.count} from ${shardSource}\n`);
      const name = loadSuiteFile(file).suite.name.replace(/[^\w.-]+/g, '_');
      const jsonl = flags.jsonl ?? `out/${name}${shard ? `.shard-${shard.index}-of-${shard.count}` : ''}.jsonl`;
      const progress = await progressPrinter(flags.quiet ?? false);
      let report;
      try {
        report = await runSuite({
          suiteFile: file,
          jsonl,
          onProgress: progress.onProgress,
          ...(flags.resume ? { resume: true } : {}),
          ...(shard ? { shard } : {}),
          ...(flags.workDir ? { workDir: flags.workDir } : {}),
          ...(flags.saveBaseline ? { saveBaseline: flags.saveBaseline } : {}),
          ...(flags.baseline ? { baseline: flags.baseline } : {}),
          ...(flags.placement ? { placement: flags.placement } : {}),
        });
      } finally {
        progress.stop();
      }
      // Which variables split the run, so a report that covers a shard says why it covers that one.
      if (report.shard) report = { ...report, shard: { ...report.shard, source: shardSource } };
      if (flags.json) await writeJsonReport(flags.json, report);
      const failing = (c: CaseResult) => c.verdict !== 'pass' && c.verdict !== 'skipped';
      process.stdout.write(
        `${renderConsole(flags.quiet ? { ...report, cases: [] } : { ...report, cases: report.cases.filter(failing) })}\n`,
      );
      if (report.baseline)
        process.stdout.write(
          `baseline ${report.baseline.dir}: ${Object.entries(report.baseline.classes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}\n`,
        );
      process.stdout.write(
        `results stream: ${jsonl}${flags.json ? `, report: ${flags.json}` : ''} (${basename(file)})\n`,
      );
      process.exitCode = exitCodeForReport(report);
    });
  return suite;
}
