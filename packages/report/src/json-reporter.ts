import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { validateReport, type Report } from '@crossrt/core';

/**
 * Write the report after validating it against its schema (cases checked as they were produced are
 * not parsed again, see checkCaseResult); written whole, via a temp file.
 */
export async function writeJsonReport(path: string, report: Report): Promise<void> {
  const valid = validateReport(report);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(valid, null, 2)}\n`);
  await rename(tmp, path);
}
