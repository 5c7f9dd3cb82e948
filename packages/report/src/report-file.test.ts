import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleReport } from '../test/sample-report.js';
import { readReportFile } from './report-file.js';

describe('readReportFile', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crossrt-report-file-'));
  const write = async (name: string, text: string) => {
    const p = join(dir, name);
    await writeFile(p, text);
    return p;
  };

  it('reads back what crossrt wrote', async () => {
    const p = await write('ok.json', JSON.stringify(sampleReport()));
    expect((await readReportFile(p)).cases.map((c) => c.id)).toEqual([
      'models/a.onnx',
      'models/b.onnx',
      'models/c.onnx',
      'models/d.onnx',
      'models/e.onnx',
      'models/f.onnx',
    ]);
  });

  it.each([
    ['missing.json', null, 'FILE_NOT_FOUND', /report not found/],
    ['text.json', 'not json', 'REPORT_FILE_INVALID', /is not JSON/],
    ['other.json', '{"hello":1}', 'REPORT_FILE_INVALID', /is not a crossrt report/],
    [
      'v2.json',
      JSON.stringify({ ...sampleReport(), version: 2 }),
      'REPORT_FILE_INVALID',
      /is report version 2; this crossrt reads version 1/,
    ],
    [
      'broken.json',
      JSON.stringify({ ...sampleReport(), cases: [{ id: 'x' }] }),
      'REPORT_FILE_INVALID',
      /does not match the report schema at cases\.0\.verdict/,
    ],
  ])('%s gives %s', async (name, text, code, message) => {
    const p = text === null ? join(dir, name) : await write(name, text);
    await expect(readReportFile(p)).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message),
      hint: expect.any(String),
    });
  });
});
