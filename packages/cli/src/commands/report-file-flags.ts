import type { Command } from 'commander';

/** Where a run writes its report: the JSON object and the renderings made from it (see @crossrt/report). */
export interface ReportFileFlags {
  json?: string;
  junit?: string;
  markdown?: string;
  html?: string;
}

export function addReportFileOptions(cmd: Command): Command {
  return cmd
    .option('--json <file>', 'write the versioned JSON report here')
    .option('--junit <file>', 'also write JUnit XML (one testcase per case × target × output)')
    .option('--markdown <file>', 'also write a Markdown summary fit for a pull-request comment')
    .option('--html <file>', 'also write a self-contained HTML report');
}
