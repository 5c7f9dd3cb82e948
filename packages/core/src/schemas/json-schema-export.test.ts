import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

describe('JSON Schema files for editors', () => {
  it('schemas/*.schema.json match the zod schemas they are generated from (run `npm run schemas` if not)', () => {
    const r = spawnSync(process.execPath, ['tools/export-schemas.mjs', '--check'], { cwd: repo, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
