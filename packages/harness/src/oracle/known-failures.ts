import {
  CrossrtError,
  firstSchemaIssue,
  KnownFailuresFileSchema,
  readUserTextFile,
  ToleranceOverridesFileSchema,
  type ErrorCode,
  type KnownFailuresFile,
} from '@crossrt/core';

/**
 * Known-failures files (one per target, JSON with `//` and block comments allowed, like onnxruntime's
 * onnx_backend_test_series_filters.jsonc). Every problem is a KNOWN_FAILURES_INVALID error naming the
 * file and the place, never a parse stack.
 */
export async function readKnownFailuresFile(path: string): Promise<KnownFailuresFile> {
  return parseKnownFailures(await readUserTextFile(path, 'known-failures file'), path);
}

export function parseKnownFailures(text: string, label = 'known-failures file'): KnownFailuresFile {
  const file = parseJsonc(text, KnownFailuresFileSchema, 'KNOWN_FAILURES_INVALID', label, {
    syntax: 'the format is {"target": "ort-node:cpu", "failures": [{"case": "test_x", "reason": "…"}]}',
    schema: 'each entry needs "case" and a one-line "reason"; the file names its "target"',
  });
  const seen = new Set<string>();
  for (const f of file.failures) {
    if (seen.has(f.case))
      throw new CrossrtError('KNOWN_FAILURES_INVALID', `${label}: case "${f.case}" is listed twice`);
    seen.add(f.case);
  }
  return file;
}

/**
 * JSONC text validated by `schema`: bad syntax and the first schema issue are `code` errors naming
 * `label`, each with its hint.
 */
function parseJsonc<T>(
  text: string,
  schema: {
    safeParse(
      raw: unknown,
    ): { success: true; data: T } | { success: false; error: Parameters<typeof firstSchemaIssue>[0] };
  },
  code: ErrorCode,
  label: string,
  hints: { readonly syntax: string; readonly schema: string },
): T {
  let raw: unknown;
  try {
    raw = JSON.parse(stripJsonComments(text));
  } catch (e) {
    throw new CrossrtError(code, `${label} is not valid JSON: ${(e as Error).message}`, hints.syntax);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CrossrtError(code, `${label}: ${firstSchemaIssue(parsed.error)}`, hints.schema);
  return parsed.data;
}

/** Drop `//` line and block comments outside strings (JSONC); string contents are kept as they are. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** One known-failures file per target; two files for the same target is a usage error. */
export async function readKnownFailuresFiles(paths: readonly string[]): Promise<KnownFailuresFile[]> {
  const files = await Promise.all(paths.map(readKnownFailuresFile));
  const targets = new Set<string>();
  files.forEach((f, i) => {
    if (targets.has(f.target))
      throw new CrossrtError(
        'USAGE',
        `${paths[i]} is a second known-failures file for ${f.target}`,
        'keep one file per target',
      );
    targets.add(f.target);
  });
  return files;
}

/** A tolerance overrides file (onnxruntime's overrides.jsonc shape) as per-case tolerances. */
export async function readToleranceOverrides(
  path: string,
  defaults: { rtol: number; atol: number },
): Promise<{ rtol: number; atol: number; cases: Record<string, { rtol: number; atol: number }> }> {
  const format = 'the format is {"atol_overrides": {"test_x": 1e-4}, "rtol_overrides": {}}';
  const f = parseJsonc(await readUserTextFile(path, 'tolerances file'), ToleranceOverridesFileSchema, 'USAGE', path, {
    syntax: format,
    schema: format,
  });
  const rtol = f.rtol_default ?? defaults.rtol;
  const atol = f.atol_default ?? defaults.atol;
  const cases: Record<string, { rtol: number; atol: number }> = {};
  for (const name of new Set([...Object.keys(f.atol_overrides), ...Object.keys(f.rtol_overrides)])) {
    cases[name] = { rtol: f.rtol_overrides[name] ?? rtol, atol: f.atol_overrides[name] ?? atol };
  }
  return { rtol, atol, cases };
}
