#!/usr/bin/env node
/**
 * Packs the publishable `crossrt` tarball: this package (bin, public API, JSON schemas) with every
 * @crossrt/* workspace package it needs bundled inside (npm `bundleDependencies`), and the union of
 * their third-party dependencies as its own dependencies, so `npm install -D crossrt-<v>.tgz` installs
 * one package with real ranges and nothing from devDependencies.
 *
 * Why a staging folder: npm cannot bundle workspace packages from inside a workspace (they are
 * symlinks hoisted to the root). Each bundled package keeps its own folder and package.json, so its
 * `exports`, its `files` assets (pages, Python bridge, templates) and the host processes' imports of
 * adapters by package name (`@crossrt/runtime-ort-node`) resolve exactly as in this repository.
 *
 *   node packages/crossrt/scripts/pack.mjs [--out <dir>] [--json]      (npm run pack; default out/pack)
 *
 * Refuses (exit 1) when a package is not built, two packages declare one dependency with different
 * ranges, or any shipped .js imports a package that nothing in the tarball declares.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const here = dirname(new URL(import.meta.url).pathname);
const pkgDir = resolve(here, '..');
const repo = resolve(pkgDir, '..', '..');

class PackError extends Error {}

/** Workspace manifests by package name. */
function workspaces() {
  const byName = new Map();
  for (const d of readdirSync(join(repo, 'packages'))) {
    const file = join(repo, 'packages', d, 'package.json');
    if (existsSync(file))
      byName.set(JSON.parse(readFileSync(file, 'utf8')).name, {
        dir: join(repo, 'packages', d),
        manifest: JSON.parse(readFileSync(file, 'utf8')),
      });
  }
  return byName;
}

const isInternal = (name) => name.startsWith('@crossrt/');
const runtimeDeps = (m) => ({ ...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies });

/** Every @crossrt/* package reachable from `root` through dependencies (dev ones never ship). */
function internalClosure(root, byName) {
  const seen = new Set();
  const visit = (name) => {
    for (const dep of Object.keys(runtimeDeps(byName.get(name).manifest))) {
      if (!isInternal(dep) || seen.has(dep)) continue;
      if (!byName.has(dep)) throw new PackError(`${name} depends on ${dep}, which is no workspace package`);
      seen.add(dep);
      visit(dep);
    }
  };
  visit(root);
  return [...seen].sort();
}

/** One range per third-party package over all bundled packages; two different ranges are an error. */
function unionDependencies(names, byName, field) {
  const out = {};
  const from = {};
  for (const name of names) {
    for (const [dep, range] of Object.entries(byName.get(name).manifest[field] ?? {})) {
      if (isInternal(dep)) continue;
      if (out[dep] !== undefined && out[dep] !== range)
        throw new PackError(
          `${dep} is "${out[dep]}" in ${from[dep]} but "${range}" in ${name}: give both the same range`,
        );
      out[dep] = range;
      from[dep] = name;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** npm's own file selection (`files`, negations, README) for each workspace, without packing. */
function packedFiles(names) {
  const out = execFileSync(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts', ...names.flatMap((n) => ['--workspace', n])],
    { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Map(JSON.parse(out).map((p) => [p.name, p.files.map((f) => f.path)]));
}

/** The manifest a bundled package ships with: what resolution and npm need, no build or test wiring. */
function bundledManifest(m) {
  const keep = ['name', 'version', 'description', 'type', 'exports', 'files', 'dependencies'];
  return {
    ...Object.fromEntries(keep.filter((k) => m[k] !== undefined).map((k) => [k, m[k]])),
    ...optionalPeers(m.optionalDependencies),
  };
}

/**
 * Optional dependencies ship as optional peers: npm installs an optional dependency whenever it can,
 * and @tensorflow/tfjs-node's install downloads libtensorflow on every user's `npm install`. As an
 * optional peer it is the user's choice (`crossrt doctor` prints the command); the adapter finds it
 * in the user's node_modules when it is there.
 */
function optionalPeers(optional = {}) {
  const names = Object.keys(optional).sort();
  if (!names.length) return {};
  return {
    peerDependencies: Object.fromEntries(names.map((n) => [n, optional[n]])),
    peerDependenciesMeta: Object.fromEntries(names.map((n) => [n, { optional: true }])),
  };
}

function* jsFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* jsFiles(p);
    else if (/\.(m?js|cjs)$/.test(e.name)) yield p;
  }
}

/** Bare package names a module loads: static and dynamic imports, require(), and the resolve forms. */
function importedPackages(file) {
  const text = readFileSync(file, 'utf8');
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  // require.resolve('x'), import.meta.resolve('x'), createRequire(url)('x'): resolution without an import.
  for (const m of text.matchAll(/(?:require\.resolve|import\.meta\.resolve|\)\s*)\(\s*['"]([^'"./][^'"]*)['"]/g))
    specs.push(m[1]);
  const names = new Set();
  for (const s of specs) {
    if (s.startsWith('.') || s.startsWith('/') || s.startsWith('node:') || builtinModules.includes(s.split('/')[0]))
      continue;
    names.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
  }
  return names;
}

/**
 * Each shipped package imports only what it declares (or itself): a phantom import breaks for users.
 * `alsoAllowed`: package name → more names its shipped files may load, for code that loads packages
 * by name without declaring them (see the call).
 */
function checkImports(stageDir, bundled, alsoAllowed) {
  const problems = [];
  const check = (dir, manifest, allowed) => {
    for (const file of jsFiles(dir)) {
      for (const name of importedPackages(file)) {
        if (!allowed.has(name) && name !== manifest.name)
          problems.push(`${relative(stageDir, file)} imports ${name}, which ${manifest.name} does not declare`);
      }
    }
  };
  for (const { dir, manifest } of bundled)
    check(dir, manifest, new Set([...Object.keys(runtimeDeps(manifest)), ...(alsoAllowed.get(manifest.name) ?? [])]));
  return problems;
}

export function pack({ outDir = join(repo, 'out', 'pack') } = {}) {
  const byName = workspaces();
  const self = byName.get('crossrt');
  const internal = internalClosure('crossrt', byName);
  const unbundled = [...byName.keys()].filter((n) => isInternal(n) && !internal.includes(n));
  if (unbundled.length)
    throw new PackError(
      `workspace packages not reachable from crossrt's dependencies (so not shipped): ${unbundled.join(', ')}`,
    );
  for (const name of ['crossrt', ...internal]) {
    if (!existsSync(join(byName.get(name).dir, 'dist')))
      throw new PackError(`${name} is not built: run npx nx run-many -t build`);
  }

  const stage = join(mkdtempSync(join(tmpdir(), 'crossrt-pack-')), 'crossrt');
  const files = packedFiles(['crossrt', ...internal]);
  const copy = (fromDir, list, toDir) => {
    for (const f of list) {
      if (f === 'package.json') continue;
      mkdirSync(dirname(join(toDir, f)), { recursive: true });
      copyFileSync(join(fromDir, f), join(toDir, f));
    }
  };
  copy(self.dir, files.get('crossrt'), stage);
  // Editors read the suite schema from the installed package (`crossrt init` writes the comment).
  cpSync(join(repo, 'schemas'), join(stage, 'schemas'), { recursive: true });
  const bundled = internal.map((name) => {
    const dir = join(stage, 'node_modules', ...name.split('/'));
    copy(byName.get(name).dir, files.get(name), dir);
    const manifest = bundledManifest(byName.get(name).manifest);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return { dir, manifest };
  });

  const internalVersions = Object.fromEntries(internal.map((n) => [n, byName.get(n).manifest.version]));
  const {
    private: _private,
    scripts: _scripts,
    nx: _nx,
    devDependencies: _dev,
    dependencies: _deps,
    ...meta
  } = self.manifest;
  const manifest = {
    ...meta,
    dependencies: { ...unionDependencies(internal, byName, 'dependencies'), ...internalVersions },
    ...optionalPeers(unionDependencies(internal, byName, 'optionalDependencies')),
    bundleDependencies: internal,
  };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  // The runtime host imports its adapters by name (target catalogue `adapterModule`): siblings in the
  // tarball. The CLI's dist/main.js + dist/bundle/ inline its whole @crossrt closure, which loads the
  // closure's own dependencies at run time (createRequire('yaml'), playwright-core, chart.js's file).
  const cliClosure = ['@crossrt/cli', ...internalClosure('@crossrt/cli', byName)];
  const alsoAllowed = new Map([
    ['@crossrt/runtime', bundled.map((b) => b.manifest.name)],
    ['@crossrt/cli', cliClosure.flatMap((n) => [n, ...Object.keys(runtimeDeps(byName.get(n).manifest))])],
  ]);
  const problems = checkImports(
    stage,
    [...bundled, { dir: join(stage, 'dist'), manifest: { ...manifest, name: 'crossrt' } }],
    alsoAllowed,
  );
  if (problems.length) throw new PackError(`undeclared imports:\n  ${problems.join('\n  ')}`);
  const version = readFileSync(
    join(stage, 'node_modules/@crossrt/harness/dist/report/report-builder.js'),
    'utf8',
  ).match(/CROSSRT_VERSION = '([^']+)'/)?.[1];
  if (version !== manifest.version)
    throw new PackError(
      `CROSSRT_VERSION (${version}, packages/harness/src/report/report-builder.ts) differs from the package version ${manifest.version}`,
    );

  mkdirSync(outDir, { recursive: true });
  // --ignore-scripts: nothing in the staging folder builds; npm's own file list and gzip only.
  const out = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  )[0];
  rmSync(dirname(stage), { recursive: true, force: true });
  const tarball = join(outDir, out.filename);
  return {
    tarball,
    version: manifest.version,
    size: statSync(tarball).size,
    unpackedSize: out.unpackedSize,
    entryCount: out.entryCount,
    integrity: out.integrity,
    bundled: internal,
    dependencies: manifest.dependencies,
    peerDependencies: manifest.peerDependencies ?? {},
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(here, 'pack.mjs')) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  try {
    const r = pack(outIdx >= 0 ? { outDir: resolve(args[outIdx + 1]) } : {});
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else
      process.stdout.write(
        `${relative(process.cwd(), r.tarball)}: ${(r.size / 1e6).toFixed(2)} MB (${(r.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${r.entryCount} files), bundling ${r.bundled.length} @crossrt packages; install: ONNXRUNTIME_NODE_INSTALL=skip npm install -D ${r.tarball}\n`,
      );
  } catch (e) {
    process.stderr.write(`pack: ${e instanceof PackError ? e.message : e.stack}\n`);
    process.exitCode = 1;
  }
}
