import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { validateReport, type Report } from '@crossrt/core';
import { renderConsole } from './console-reporter.js';
import { renderConsoleSummary } from './console-summary.js';
import { renderGithubAnnotations } from './github-annotations.js';
import { renderHtml } from './html-reporter.js';
import { renderJunit } from './junit-reporter.js';
import { renderMarkdown } from './markdown-reporter.js';

/** Every format `crossrt report --format` renders, all from the one report object. */
export const REPORT_FORMATS = ['console', 'json', 'junit', 'markdown', 'github', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderReportOptions {
  /** console: ANSI colours. */
  readonly color?: boolean;
  /** console: every case in full before the summary. */
  readonly detail?: boolean;
  /** console/markdown: rows of the largest-discrepancies table. */
  readonly topN?: number;
  /** github: the checkout root, so model paths become `file=` links. */
  readonly workspace?: string;
  readonly maxAnnotations?: number;
}

export function renderReport(report: Report, format: ReportFormat, options: RenderReportOptions = {}): string {
  const top = options.topN !== undefined ? { topN: options.topN } : {};
  switch (format) {
    case 'console': {
      const summary = renderConsoleSummary(report, { color: options.color ?? false, ...top });
      return options.detail ? `${renderConsole({ ...report })}\n\n${summary}` : summary;
    }
    case 'json':
      return `${JSON.stringify(validateReport(report), null, 2)}\n`;
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report, top);
    case 'github':
      return renderGithubAnnotations(report, {
        ...(options.workspace ? { workspace: options.workspace } : {}),
        ...(options.maxAnnotations !== undefined ? { maxAnnotations: options.maxAnnotations } : {}),
      });
    case 'html':
      return renderHtml(report);
  }
}

/** Write a rendered report whole (temp file + rename), so a reader never sees half a file. */
export async function writeRenderedReport(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text.endsWith('\n') ? text : `${text}\n`);
  await rename(tmp, path);
}

/** Extra renderings a run can write beside its JSON report (`--junit`, `--markdown`, `--html`). */
export interface ReportFiles {
  readonly junit?: string;
  readonly markdown?: string;
  readonly html?: string;
}

/** Write each requested rendering; returns `<format> report written to <path>` lines for the user. */
export async function writeReportFiles(report: Report, files: ReportFiles): Promise<string[]> {
  const written: string[] = [];
  for (const format of ['junit', 'markdown', 'html'] as const) {
    const path = files[format];
    if (!path) continue;
    await writeRenderedReport(path, renderReport(report, format));
    written.push(`${format} report written to ${path}`);
  }
  return written;
}
