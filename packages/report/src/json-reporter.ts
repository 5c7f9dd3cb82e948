import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ReportSchema, type Report } from '@crossrt/core';

/** Write the report after validating it against its schema; written whole, via a temp file. */
export async function writeJsonReport(path: string, report: Report): Promise<void> {
  const valid = ReportSchema.parse(report);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(valid, null, 2)}\n`);
  await rename(tmp, path);
}
