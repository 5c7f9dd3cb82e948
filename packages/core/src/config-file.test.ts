import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { firstSchemaIssue, readUserTextFile } from './config-file.js';

describe('readUserTextFile', () => {
  it('reads the text, or names the kind of file that is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossrt-config-'));
    writeFileSync(join(dir, 'a.json'), '{"x":1}');
    await expect(readUserTextFile(join(dir, 'a.json'), 'config file')).resolves.toBe('{"x":1}');
    await expect(readUserTextFile(join(dir, 'nope.json'), 'config file')).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: `config file not found: ${join(dir, 'nope.json')}`,
    });
    await expect(readUserTextFile(dir, 'tolerances file')).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
      message: `tolerances file unreadable: ${dir}`,
    });
  });
});

describe('firstSchemaIssue', () => {
  it('names the field path of the first issue, or (root)', () => {
    const schema = z.object({ a: z.object({ b: z.number() }) });
    expect(firstSchemaIssue(schema.safeParse({ a: { b: 'x' } }).error!)).toBe(
      'a.b: Invalid input: expected number, received string',
    );
    expect(firstSchemaIssue(z.number().safeParse('x').error!)).toBe(
      '(root): Invalid input: expected number, received string',
    );
  });
});
