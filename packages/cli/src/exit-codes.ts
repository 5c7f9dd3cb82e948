import type { ErrorCode, Report } from '@crossrt/core';

/**
 * The one place exit codes are decided.
 *   0  every case ran on every target and every comparison passed
 *   1  a discrepancy (mismatch, shape, dtype, nan-inf, missing) or a run failure
 *      (load-error, run-error, crash, timeout, unavailable target)
 *   2  usage or input error: bad flags, unknown target, missing/unreadable/invalid model
 *   3  internal error (a bug in crossrt: please report it)
 */
export const EXIT = { OK: 0, DISCREPANCY: 1, USAGE: 2, INTERNAL: 3 } as const;

const RUN_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set([
  'TARGET_UNAVAILABLE',
  'MODEL_TOO_LARGE_FOR_TARGET',
  'HOST_FAILED',
  'CALIBRATION_FAILED',
]);

export function exitCodeForError(code: ErrorCode): number {
  if (code === 'INTERNAL' || code === 'REPORT_INVALID') return EXIT.INTERNAL;
  if (RUN_FAILURE_CODES.has(code)) return EXIT.DISCREPANCY;
  return EXIT.USAGE;
}

export function exitCodeForReport(report: Report): number {
  if (report.totals.errored > 0) return EXIT.USAGE;
  // Against goldens, only regressions and failures the goldens did not have fail the run.
  if (report.baseline) {
    const c = report.baseline.classes;
    return (c['regression'] ?? 0) > 0 || (c['newFailures'] ?? 0) > 0 || report.totals.convertErrors > 0
      ? EXIT.DISCREPANCY
      : EXIT.OK;
  }
  if (report.totals.failed > 0 || report.totals.convertErrors > 0) return EXIT.DISCREPANCY;
  return EXIT.OK;
}

/**
 * Conformance runs: only failures no known-failures entry covers fail the run; a case crossrt itself
 * could not read (broken model or test data) is an input error, as in `run`.
 */
export function exitCodeForConformance(matrix: {
  readonly newFailures: number;
  readonly newCaseErrors: number;
}): number {
  if (matrix.newCaseErrors > 0) return EXIT.USAGE;
  return matrix.newFailures > 0 ? EXIT.DISCREPANCY : EXIT.OK;
}
