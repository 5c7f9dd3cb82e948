import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrossrtError, describeError, type VariantKind } from '@crossrt/core';
import {
  formatSignatureValue,
  modelSignature,
  parseTfjsModelJson,
  readModelFile,
  tfjsModelSignature,
  type ModelSignature,
} from '@crossrt/model';
import { detectVariantKind } from '../variants/variant-signature.js';

// yaml and tinyglobby load when init runs, not on every crossrt start (as in suite-plan.ts).
const require = createRequire(import.meta.url);

export interface ScaffoldOptions {
  /** Where to look for models (recursively). */
  readonly dir: string;
  /** The ONNX suite file to write; a TF.js suite goes next to it (`<name>.tfjs.yaml`). */
  readonly out: string;
  readonly onnxTargets: readonly string[];
  readonly tfjsTargets: readonly string[];
  readonly name?: string;
  readonly dims?: Readonly<Record<string, number>>;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
}

export interface ScaffoldedModel {
  readonly path: string;
  readonly format: 'onnx' | 'tfjs';
  readonly signature: ModelSignature;
  /** Detected from the weights (ONNX only). */
  readonly kind?: VariantKind;
  readonly kindWhy?: string;
  /** For an fp16/int8/bf16 sibling: the model it is a variant of. */
  readonly variantOf?: string;
  /** Dims that nothing in the suite sets, so they default to 1 (`input[0]`, `batch`). */
  readonly unset: readonly string[];
}

export interface ScaffoldedSuite {
  readonly file: string;
  readonly format: 'onnx' | 'tfjs';
  readonly targets: readonly string[];
  readonly text: string;
  readonly models: readonly ScaffoldedModel[];
}

export interface ScaffoldResult {
  readonly suites: readonly ScaffoldedSuite[];
  /** Files that looked like models but could not be read, with why. */
  readonly skipped: readonly { path: string; why: string }[];
}

/** crossrt's own outputs and installed packages are not the user's models. */
const IGNORED = [
  '**/node_modules/**',
  '**/.git/**',
  '**/out/**',
  '**/crossrt-exports/**',
  '**/package.json',
  '**/package-lock.json',
  '**/tsconfig*.json',
  '**/*.schema.json',
];

/**
 * Name tags of precisions (`model_fp16.onnx`, `model.int8.onnx`, `classifier-fp32.onnx`): files in one
 * folder that share a name once the tag is stripped are one family. A tag alone does not make a
 * variant: the weights must agree (detectVariantKind), so a `silero_vad_half.onnx` that is really
 * fp32 stays a model of its own, with a note.
 */
const PRECISION_TAG =
  /^(.+)[._-](fp32|f32|float32|full|fp16|f16|half|float16|bf16|bfloat16|int8|uint8|i8|q8|qint8|quant|quantized|qdq|int4|q4)$/i;
const FP32_TAGS = new Set(['fp32', 'f32', 'float32', 'full']);

const posix = (p: string) => p.split(sep).join('/');

/** Scan `dir`, read every model, group variants, and render the suite file(s); nothing is written. */
export async function scaffoldSuites(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const root = resolve(options.dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new CrossrtError(
      'FILE_NOT_FOUND',
      `no folder ${options.dir}`,
      'crossrt init [dir]: the folder holding your .onnx / TF.js model.json files',
    );
  const { glob } = await import('tinyglobby');
  const files = (await glob(['**/*.onnx', '**/*.json'], { cwd: root, absolute: true, ignore: IGNORED })).sort();
  const skipped: { path: string; why: string }[] = [];
  const onnx: ScaffoldedModel[] = [];
  const tfjs: ScaffoldedModel[] = [];
  const protos = new Map<string, Parameters<typeof detectVariantKind>[0]>();
  for (const path of files) {
    try {
      if (extname(path) === '.onnx') {
        const model = await readModelFile(path);
        protos.set(path, model.proto);
        onnx.push({ path, format: 'onnx', signature: modelSignature(model.proto), unset: [] });
      } else {
        // Most JSON files are not models: only ones carrying both TF.js keys are parsed.
        const text = readFileSync(path, 'utf8');
        if (!text.includes('"modelTopology"') || !text.includes('"weightsManifest"')) continue;
        tfjs.push({ path, format: 'tfjs', signature: tfjsModelSignature(parseTfjsModelJson(text, path)), unset: [] });
      }
    } catch (e) {
      skipped.push({ path, why: describeError(e) });
    }
  }
  if (onnx.length + tfjs.length === 0) {
    throw new CrossrtError(
      'INIT_REFUSED',
      `no .onnx or TF.js model.json under ${options.dir}${skipped.length ? ` (${skipped.length} unreadable: ${skipped[0]!.why})` : ''}`,
      'run crossrt init in (or pass) the folder that holds your models',
    );
  }
  const grouped = groupVariants(onnx, protos).map((m) => ({ ...m, unset: unsetDims(m.signature, options) }));
  const out = resolve(options.out);
  const name = options.name ?? (basename(root).replace(/[^\w.-]+/g, '_') || 'models');
  const suites: ScaffoldedSuite[] = [];
  if (grouped.length)
    suites.push(renderSuite(out, 'onnx', name, options.onnxTargets, orderByGroup(grouped), options, root));
  if (tfjs.length) {
    const file = grouped.length ? out.replace(/(\.ya?ml)?$/i, (ext) => `.tfjs${ext || '.yaml'}`) : out;
    suites.push(
      renderSuite(
        file,
        'tfjs',
        grouped.length ? `${name}-tfjs` : name,
        options.tfjsTargets,
        tfjs.map((m) => ({ ...m, unset: unsetDims(m.signature, options) })),
        options,
        root,
      ),
    );
  }
  return { suites, skipped };
}

/** Write the scaffolded files; an existing one is only replaced with `force`. */
export function writeScaffold(result: ScaffoldResult, force: boolean): void {
  const existing = result.suites.filter((s) => existsSync(s.file));
  if (existing.length && !force) {
    throw new CrossrtError(
      'INIT_REFUSED',
      `${existing.map((s) => s.file).join(', ')} already exists`,
      'pass --force to replace it, or -o another.suite.yaml',
    );
  }
  for (const s of result.suites) writeFileSync(s.file, s.text);
}

function groupVariants(
  models: readonly ScaffoldedModel[],
  protos: ReadonlyMap<string, Parameters<typeof detectVariantKind>[0]>,
): ScaffoldedModel[] {
  const withKind = models.map((m) => {
    const detected = detectVariantKind(protos.get(m.path)!);
    const match = PRECISION_TAG.exec(basename(m.path, '.onnx'));
    return {
      ...m,
      kind: detected.kind,
      kindWhy: detected.why,
      family: join(dirname(m.path), match ? match[1]! : basename(m.path, '.onnx')),
      tag: match?.[2]?.toLowerCase(),
    };
  });
  const families = new Map<string, typeof withKind>();
  for (const m of withKind) families.set(m.family, [...(families.get(m.family) ?? []), m]);
  return withKind.map(({ family, tag, ...m }) => {
    const members = families.get(family)!;
    // The family's fp32 model: the untagged file, else the one tagged fp32.
    const base =
      members.find((b) => b.kind === 'fp32' && b.tag === undefined) ??
      members.find((b) => b.kind === 'fp32' && b.tag !== undefined && FP32_TAGS.has(b.tag));
    if (!base || base.path === m.path || members.length < 2) return m;
    if (m.kind !== 'fp32') return { ...m, variantOf: base.path };
    if (tag && !FP32_TAGS.has(tag))
      return {
        ...m,
        kindWhy: `${m.kindWhy}; its name suggests a variant of ${basename(base.path)}, its weights do not`,
      };
    return m;
  });
}

/** Each model followed by its variants, otherwise in path order. */
function orderByGroup(models: readonly ScaffoldedModel[]): ScaffoldedModel[] {
  const variants = new Map<string, ScaffoldedModel[]>();
  for (const m of models) if (m.variantOf) variants.set(m.variantOf, [...(variants.get(m.variantOf) ?? []), m]);
  return models.filter((m) => !m.variantOf).flatMap((m) => [m, ...(variants.get(m.path) ?? [])]);
}

function unsetDims(signature: ModelSignature, options: ScaffoldOptions): string[] {
  const unset = new Set<string>();
  for (const input of signature.inputs) {
    if (options.shapes?.[input.name] || !input.dims) continue;
    input.dims.forEach((d, axis) => {
      if (d === null || (typeof d === 'number' && d < 0)) unset.add(`${input.name}[${axis}]`);
      else if (typeof d === 'string' && options.dims?.[d] === undefined) unset.add(d);
    });
  }
  return [...unset];
}

/**
 * The JSON Schema shipped with crossrt, for the editor comment: `schemas/` sits at the package root
 * when installed (node_modules/crossrt/schemas) and at the repository root here, both above this file.
 */
export function suiteSchemaFile(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas', 'suite.schema.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const SCHEMA_ID = 'https://crossrt.dev/schemas/suite.schema.json';

function renderSuite(
  file: string,
  format: 'onnx' | 'tfjs',
  name: string,
  targets: readonly string[],
  models: readonly ScaffoldedModel[],
  options: ScaffoldOptions,
  root: string,
): ScaffoldedSuite {
  const YAML = require('yaml') as typeof import('yaml');
  const suiteDir = dirname(file);
  const rel = (p: string) => posix(relative(suiteDir, p)) || '.';
  const schema = suiteSchemaFile();
  const ids = new Map(models.map((m) => [m.path, rel(m.path)]));
  const entries = models.map((m) => ({
    path: rel(m.path),
    ...(m.variantOf ? { id: `${ids.get(m.variantOf)}@${m.kind}` } : {}),
  }));
  const doc = new YAML.Document({
    name,
    targets: [...targets],
    ...(options.dims && Object.keys(options.dims).length ? { dims: options.dims } : {}),
    ...(options.shapes && Object.keys(options.shapes).length ? { shapes: options.shapes } : {}),
    models: entries,
  });
  doc.commentBefore = [
    ` yaml-language-server: $schema=${schema ? rel(schema) : SCHEMA_ID}`,
    ` Scaffolded by \`crossrt init ${rel(root)}\` from ${models.length} ${format === 'onnx' ? 'ONNX' : 'TF.js'} model(s). Run: npx crossrt suite run ${basename(file)}`,
    ` Every model runs on every target with the same seeded inputs, judged against the first target.`,
    ...(format === 'tfjs' ? [' TF.js model.json files run on tfjs targets only, so they have their own suite.'] : []),
  ].join('\n');
  for (const key of ['targets', 'dims', 'shapes']) {
    const node = doc.get(key, true) as { flow?: boolean } | undefined;
    if (node) node.flow = true;
  }
  const seq = doc.get('models', true) as import('yaml').YAMLSeq;
  seq.items.forEach((item, i) => {
    const m = models[i]!;
    (item as { flow?: boolean }).flow = true;
    const lines: string[] = [];
    const variants = models.filter((v) => v.variantOf === m.path);
    if (variants.length) {
      lines.push(
        ` variants of ${basename(m.path)}: ${variants.map((v) => `${basename(v.path)} (${v.kind}: ${v.kindWhy})`).join(', ')}; each runs on every target here.`,
      );
      lines.push(
        ` To judge the variants against it: npx crossrt compare ${[m, ...variants].map((v) => rel(v.path)).join(' ')} -t ${targets[0]}`,
      );
    }
    if (!m.variantOf) lines.push(` inputs: ${m.signature.inputs.map(formatSignatureValue).join(', ') || '(none)'}`);
    if (m.kind && m.kind === 'fp32' && m.kindWhy?.includes('name suggests')) lines.push(` ${m.kindWhy}`);
    if (m.unset.length)
      lines.push(
        ` ${m.unset.join(', ')} ${m.unset.length === 1 ? 'defaults' : 'default'} to 1: set real sizes with shapes: { <input>: [...] } or dims: { <name>: N } on this entry`,
      );
    if (lines.length) (item as { commentBefore?: string }).commentBefore = lines.join('\n');
  });
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  return { file, format, targets, text, models };
}
