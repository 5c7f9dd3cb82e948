/**
 * A fresh user project outside the repository with the crossrt tarball as its only devDependency,
 * installable with no network: `npm install --offline` needs, per package, either a cached packument
 * (which `npm ci` never fetches) or a lock entry. So the project gets the lock file npm would write
 * for it, built from this repository's lock: the same versions, integrity hashes and nesting for
 * every package the tarball's dependencies pull in; their tarballs are in the npm cache since
 * `npm ci`. npm still checks every range of the tarball's manifest against those versions
 * (an unsatisfied one would need a packument and fail offline).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface LockEntry {
  readonly link?: boolean;
  readonly dev?: boolean;
  readonly [k: string]: unknown;
}

export interface InstalledProject {
  readonly dir: string;
  readonly installMs: number;
  readonly npmOutput: string;
  /** Whether this npm honours package.json allowScripts (else ONNXRUNTIME_NODE_INSTALL did the skip). */
  readonly allowScripts: boolean;
}

/** npm versions with the allowScripts policy know the allow-scripts config (`''`); older ones print `undefined`. */
export function npmHasAllowScripts(cwd: string): boolean {
  return execFileSync('npm', ['config', 'get', 'allow-scripts'], { cwd, encoding: 'utf8' }).trim() !== 'undefined';
}

export function installOffline(
  project: string,
  tarball: string,
  repoLock: string,
  env: NodeJS.ProcessEnv,
): InstalledProject {
  const file = basename(tarball);
  copyFileSync(tarball, join(project, file));
  const manifest = JSON.parse(
    execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  ) as Record<string, unknown>;
  const pkg = {
    name: 'crossrt-user-project',
    version: '1.0.0',
    private: true,
    devDependencies: { crossrt: `file:${file}` },
    // What the README tells users: npm skips onnxruntime-node's CUDA download, silently (npm 11 allowScripts).
    allowScripts: { 'onnxruntime-node': false },
  };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const lock = JSON.parse(readFileSync(repoLock, 'utf8')) as { packages: Record<string, LockEntry> };
  const pick = (k: string) => (manifest[k] === undefined ? {} : { [k]: manifest[k] });
  const packages: Record<string, unknown> = {
    '': { name: pkg.name, version: pkg.version, devDependencies: pkg.devDependencies },
    'node_modules/crossrt': {
      version: manifest['version'],
      resolved: `file:${file}`,
      dev: true,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      ...pick('bundleDependencies'),
      ...pick('dependencies'),
      ...pick('peerDependencies'),
      ...pick('peerDependenciesMeta'),
      ...pick('bin'),
      ...pick('engines'),
    },
  };
  // Every third-party entry that is not dev-only in the repository; npm prunes what nothing needs.
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') || entry.link || entry.dev) continue;
    packages[key] = { ...entry, dev: true };
  }
  writeFileSync(
    join(project, 'package-lock.json'),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
  const allowScripts = npmHasAllowScripts(project);
  const started = Date.now();
  const r = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...env, ...(allowScripts ? {} : { ONNXRUNTIME_NODE_INSTALL: 'skip' }) },
  });
  if (r.status !== 0) throw new Error(`npm install --offline failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { dir: project, installMs: Date.now() - started, npmOutput: r.stdout + r.stderr, allowScripts };
}
