import { readFile } from 'node:fs/promises';
import { CrossrtError, REPORT_SCHEMA_ID, REPORT_VERSION, ReportSchema, type Report } from '@crossrt/core';

const HINT = 'pass a JSON report written by crossrt (run/conformance/suite/merge --json)';

/** Read and validate a saved report; every way it can be wrong is a typed error naming the file. */
export async function readReportFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CrossrtError('FILE_NOT_FOUND', `report not found: ${path}`, HINT);
    throw new CrossrtError(
      'FILE_UNREADABLE',
      `cannot read report ${path}: ${code ?? (e as Error).message}`,
      'check the path and its permissions',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CrossrtError('REPORT_FILE_INVALID', `${path} is not JSON: ${(e as Error).message}`, HINT);
  }
  const head = json as { schema?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.schema !== REPORT_SCHEMA_ID) {
    throw new CrossrtError(
      'REPORT_FILE_INVALID',
      `${path} is not a crossrt report (no "schema": "${REPORT_SCHEMA_ID}")`,
      HINT,
    );
  }
  if (head.version !== REPORT_VERSION) {
    throw new CrossrtError(
      'REPORT_FILE_INVALID',
      `${path} is report version ${String(head.version)}; this crossrt reads version ${REPORT_VERSION}`,
      'render it with the crossrt version that wrote it',
    );
  }
  const parsed = ReportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CrossrtError(
      'REPORT_FILE_INVALID',
      `${path} does not match the report schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      HINT,
    );
  }
  return parsed.data;
}
