import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import picomatch from 'picomatch';
import {
  CrossrtError,
  SuiteSchema,
  type ExportSettings,
  type ModelEntry,
  type Suite,
  type SuiteReferenceCommand,
  type SuiteVariant,
} from '@crossrt/core';
import { exportPoints, pointId, torchCaseName } from '../source/torch-export-matrix.js';
import { findBackendTestCases } from '@crossrt/model';

// yaml and tinyglobby load when a suite is read (~40 ms), not on every crossrt start.
const require = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (require('yaml') as typeof import('yaml')).parse(text);
const glob = async (patterns: string | string[], options: { cwd: string; absolute: true }): Promise<string[]> =>
  (await import('tinyglobby')).glob(patterns, options);

/** One case of a suite, before it runs. Ids are stable: they key resume, shards and baselines. */
export interface PlannedCase {
  readonly index: number;
  readonly id: string;
  readonly kind: 'model' | 'test-case' | 'convert' | 'torch' | 'variant';
  /** Model file (for `convert`: where the converter must write the artifact). */
  readonly path: string;
  readonly dims?: Readonly<Record<string, number>>;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  readonly tolerance?: { readonly rtol: number; readonly atol: number };
  readonly convert?: { readonly command: string; readonly versionCommand?: string; readonly timeoutSeconds: number };
  /** A PyTorch source case: the builder (path relative to the suite folder) and its export point. */
  readonly torch?: {
    readonly callable: string;
    readonly point: ExportSettings;
    readonly kwargs?: Record<string, unknown>;
    readonly layerwise: 'auto' | 'always' | 'off';
    readonly layerSnrDb?: number;
  };
  /** A variant of a model entry: the model it is judged against, how it is made, its steps. */
  readonly variant?: { readonly of: string } & Pick<SuiteVariant, 'quantize' | 'quantError' | 'fp16'>;
  /** The entry's oracle is this command (run in the suite folder), not the first target. */
  readonly referenceCommand?: { readonly command: string; readonly timeoutSeconds?: number };
}

export interface LoadedSuite {
  readonly file: string;
  readonly dir: string;
  readonly sha256: string;
  readonly suite: Suite;
}

export function loadSuiteFile(file: string): LoadedSuite {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CrossrtError('FILE_NOT_FOUND', `suite file not found: ${file}`, 'pass a .yaml or .json suite file');
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new CrossrtError(
      'SUITE_INVALID',
      `${file} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const parsed = SuiteSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new CrossrtError(
      'SUITE_INVALID',
      `${file}: ${where}: ${issue.message}${parsed.error.issues.length > 1 ? ` (+${parsed.error.issues.length - 1} more issue(s))` : ''}`,
      'see schemas/suite.schema.json (editor completion) and the README suite section',
    );
  }
  return {
    file: path,
    dir: dirname(path),
    sha256: createHash('sha256').update(text).digest('hex'),
    suite: parsed.data,
  };
}

const posix = (p: string) => p.split(sep).join('/');

/** Expand a suite's model entries into cases, in file order, with stable ids; duplicate ids are an error. */
export async function planSuite(loaded: LoadedSuite, workDir: string): Promise<PlannedCase[]> {
  const cases: Omit<PlannedCase, 'index'>[] = [];
  for (const entry of loaded.suite.models) cases.push(...(await expandEntry(entry, loaded.dir, workDir)));
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id))
      throw new CrossrtError(
        'SUITE_INVALID',
        `case id "${c.id}" appears twice in ${loaded.file}`,
        'give one of them an explicit id',
      );
    seen.add(c.id);
  }
  return cases.map((c, index) => ({ ...c, index }));
}

function caseSettings(entry: {
  dims?: PlannedCase['dims'];
  shapes?: PlannedCase['shapes'];
  tolerance?: PlannedCase['tolerance'];
  referenceCommand?: SuiteReferenceCommand;
}) {
  const ref = entry.referenceCommand;
  return {
    ...(entry.dims ? { dims: entry.dims } : {}),
    ...(entry.shapes ? { shapes: entry.shapes } : {}),
    ...(entry.tolerance ? { tolerance: entry.tolerance } : {}),
    // The short form (a string) and the object form plan the same case.
    ...(ref ? { referenceCommand: typeof ref === 'string' ? { command: ref } : ref } : {}),
  };
}

async function expandEntry(
  entry: ModelEntry,
  suiteDir: string,
  workDir: string,
): Promise<Omit<PlannedCase, 'index'>[]> {
  if ('path' in entry) {
    const path = resolve(suiteDir, entry.path);
    const id = entry.id ?? posix(relative(suiteDir, path));
    // Variants follow their model: an existing file, or the artifact `quantize` writes in the work folder.
    const variants = (entry.variants ?? []).map((v) => ({
      id: `${id}@${v.id}`,
      kind: 'variant' as const,
      ...caseSettings(entry),
      path:
        v.path !== undefined
          ? resolve(suiteDir, v.path)
          : join(workDir, v.fp16 ? 'fp16' : 'quantized', `${`${id}@${v.id}`.replace(/[^\w.@-]+/g, '_')}.onnx`),
      variant: {
        of: path,
        ...(v.quantize ? { quantize: v.quantize } : {}),
        ...(v.quantError ? { quantError: v.quantError } : {}),
        ...(v.fp16
          ? { fp16: { ...v.fp16, ...(v.fp16.blockList ? { blockList: resolve(suiteDir, v.fp16.blockList) } : {}) } }
          : {}),
      },
    }));
    return [{ id, kind: 'model', path, ...caseSettings(entry) }, ...variants];
  }
  if ('glob' in entry) {
    const files = (await glob(entry.glob, { cwd: suiteDir, absolute: true })).sort();
    if (files.length === 0)
      throw new CrossrtError('SUITE_INVALID', `glob "${entry.glob}" matches no file under ${suiteDir}`);
    return files.map((path) => ({
      id: posix(relative(suiteDir, path)),
      kind: 'model' as const,
      path,
      ...caseSettings(entry),
    }));
  }
  if ('package' in entry) {
    const pkgDir = findPackageDir(entry.package, suiteDir);
    const files = (await glob(entry.files, { cwd: pkgDir, absolute: true })).sort();
    if (files.length === 0)
      throw new CrossrtError('SUITE_INVALID', `"${entry.files}" matches no file in ${entry.package} (${pkgDir})`);
    return files.map((path) => ({
      id: `${entry.package}/${posix(relative(pkgDir, path))}`,
      kind: 'model' as const,
      path,
      ...caseSettings(entry),
    }));
  }
  if ('testCases' in entry) {
    const root = resolve(suiteDir, entry.testCases);
    const keep = entry.include?.length ? picomatch(entry.include) : () => true;
    const drop = entry.exclude?.length ? picomatch(entry.exclude) : () => false;
    const dirs = (await findBackendTestCases([root])).filter((d) => keep(basename(d)) && !drop(basename(d)));
    if (dirs.length === 0)
      throw new CrossrtError('SUITE_INVALID', `no test case under ${root} matches the include/exclude patterns`);
    return dirs.map((d) => ({
      id: `${basename(dirname(d))}/${basename(d)}`,
      kind: 'test-case' as const,
      path: d,
      ...caseSettings(entry),
    }));
  }
  if ('torch' in entry) {
    const t = entry.torch;
    const name = torchCaseName(t.callable);
    return exportPoints({
      opsets: t.opsets,
      ...(t.constantFolding ? { constantFolding: t.constantFolding } : {}),
      ...(t.dynamicAxes ? { dynamicAxes: t.dynamicAxes } : {}),
    }).map((point) => ({
      id: pointId(name, point),
      kind: 'torch' as const,
      path: join(workDir, 'torch', `${pointId(name, point)}.onnx`),
      ...caseSettings(entry),
      torch: {
        callable: t.callable,
        point,
        layerwise: t.layerwise,
        ...(t.kwargs ? { kwargs: t.kwargs } : {}),
        ...(t.layerSnrDb !== undefined ? { layerSnrDb: t.layerSnrDb } : {}),
      },
    }));
  }
  const { convert } = entry;
  const out = join(workDir, 'converted', `${convert.id.replace(/[^\w.-]+/g, '_')}.onnx`);
  return [
    {
      id: convert.id,
      kind: 'convert',
      path: out,
      ...caseSettings(entry),
      convert: {
        command: convert.command,
        timeoutSeconds: convert.timeoutSeconds,
        ...(convert.versionCommand ? { versionCommand: convert.versionCommand } : {}),
      },
    },
  ];
}

/** npm packages often do not export package.json, so walk node_modules folders up from the suite. */
function findPackageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new CrossrtError(
    'SUITE_INVALID',
    `npm package ${name} is not installed near the suite file`,
    `npm install ${name}`,
  );
}

/** Deterministic sharding: shard i of n keeps the planned cases whose index ≡ i-1 (mod n). */
export function shardCases(
  cases: readonly PlannedCase[],
  shard: { index: number; count: number } | undefined,
): PlannedCase[] {
  if (!shard) return [...cases];
  return cases.filter((c) => c.index % shard.count === shard.index - 1);
}

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]),
    count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new CrossrtError('USAGE', `--shard expects i/n with 1 <= i <= n, got "${text}"`, 'e.g. --shard 2/4');
  return { index, count };
}
