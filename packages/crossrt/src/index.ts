/**
 * crossrt as a library: what a project needs to drive crossrt from its own scripts and to read what
 * crossrt wrote. Everything else stays internal to the bundled @crossrt/* packages, so it can change
 * without a major version.
 */
// The command line in-process: `await main(['suite', 'run', 'crossrt.suite.yaml'])` returns the exit code.
export { main, EXIT } from '@crossrt/cli';
// Suites: run one (or one shard of one), merge shard reports.
export {
  loadSuiteFile,
  runSuite,
  mergeReports,
  CROSSRT_VERSION,
  type SuiteRunOptions,
  type SuiteProgress,
} from '@crossrt/harness';
// Reports: the versioned schema and its types, reading a saved report, rendering it in any format.
export {
  ReportSchema,
  SuiteSchema,
  CrossrtError,
  isCrossrtError,
  ERROR_CODES,
  type Report,
  type CaseResult,
  type Suite,
  type ErrorCode,
} from '@crossrt/core';
export {
  readReportFile,
  writeJsonReport,
  renderReport,
  writeRenderedReport,
  REPORT_FORMATS,
  type ReportFormat,
} from '@crossrt/report';
