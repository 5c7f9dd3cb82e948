export { textTable } from './text-table.js';
export { renderCase, renderConsole } from './console-reporter.js';
export { writeJsonReport } from './json-reporter.js';
export { readReportFile } from './report-file.js';
export {
  renderReport,
  writeRenderedReport,
  writeReportFiles,
  REPORT_FORMATS,
  type ReportFormat,
} from './report-formats.js';
export { buildConformanceMatrix, renderConformanceMatrix, type ConformanceMatrix } from './conformance-matrix.js';
export { quantErrorLines } from './quant-error-view.js';
export { precisionLines, precisionHeadline } from './precision-view.js';
