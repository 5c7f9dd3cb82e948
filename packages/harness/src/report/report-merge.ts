import { CrossrtError, ReportSchema, type CaseResult, type Report } from '@crossrt/core';
import { buildReport } from './report-builder.js';

/**
 * `crossrt merge`: join shard reports of one suite into the report an unsharded run would have made.
 * Reports must come from the same suite file and settings; each case must appear once; cases are put
 * back in suite-plan order. Shards missing from the set are named in the error.
 */
export function mergeReports(reports: readonly unknown[], labels: readonly string[] = []): Report {
  const parsed = reports.map((r, i) => {
    const p = ReportSchema.safeParse(r);
    if (!p.success)
      throw new CrossrtError(
        'REPORT_FILE_INVALID',
        `${labels[i] ?? `report ${i + 1}`} is not a crossrt report: ${p.error.issues[0]?.path.join('.')}: ${p.error.issues[0]?.message}`,
        'pass JSON reports written by crossrt --json',
      );
    return p.data;
  });
  const [first] = parsed;
  if (!first) throw new CrossrtError('USAGE', 'nothing to merge', 'pass two or more report files');
  const sameSettings = (r: Report) =>
    JSON.stringify(r.settings) === JSON.stringify(first.settings) &&
    r.suite?.sha256 === first.suite?.sha256 &&
    r.command === first.command;
  parsed.forEach((r, i) => {
    if (!sameSettings(r))
      throw new CrossrtError(
        'MERGE_CONFLICT',
        `${labels[i] ?? `report ${i + 1}`} comes from another suite file or other settings than ${labels[0] ?? 'the first report'}`,
        'merge only shards of one run',
      );
  });
  const byId = new Map<string, CaseResult>();
  parsed.forEach((r, i) => {
    for (const c of r.cases) {
      if (byId.has(c.id))
        throw new CrossrtError(
          'MERGE_CONFLICT',
          `case "${c.id}" appears in more than one report (again in ${labels[i] ?? `report ${i + 1}`})`,
          'each shard must be merged once',
        );
      byId.set(c.id, c);
    }
  });
  const counts = new Set(parsed.map((r) => r.shard?.count ?? 1));
  if (counts.size > 1)
    throw new CrossrtError(
      'MERGE_CONFLICT',
      `shard counts differ (${[...counts].join(', ')})`,
      'merge shards of one --shard i/n split',
    );
  const count = [...counts][0]!;
  const present = new Set(parsed.map((r) => r.shard?.index ?? 1));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
  if (first.shard && missing.length)
    throw new CrossrtError(
      'MERGE_CONFLICT',
      `shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing`,
      'pass every shard report, or the merged report would look complete while it is not',
    );
  const cases = [...byId.values()].sort((a, b) => (a.planIndex ?? 0) - (b.planIndex ?? 0) || a.id.localeCompare(b.id));
  const merged = buildReport(first.command, first.settings, cases);
  const baselines = parsed.map((r) => r.baseline).filter((b): b is NonNullable<Report['baseline']> => Boolean(b));
  const classes: Record<string, number> = {};
  for (const b of baselines) for (const [k, v] of Object.entries(b.classes)) classes[k] = (classes[k] ?? 0) + v;
  return {
    ...merged,
    ...(first.suite ? { suite: first.suite } : {}),
    ...(baselines[0]
      ? {
          baseline: {
            dir: baselines[0].dir,
            createdAt: baselines[0].createdAt,
            classes,
            removed: baselines.flatMap((b) => b.removed),
          },
        }
      : {}),
  };
}
