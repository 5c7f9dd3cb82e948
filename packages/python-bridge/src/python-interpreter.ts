import { spawnSync } from 'node:child_process';
import { CrossrtError } from '@crossrt/core/base';

/** A Python interpreter that can import what a source run needs, and how it was found. */
export interface PythonInterpreter {
  readonly path: string;
  readonly version: string;
  /** `CROSSRT_PYTHON`, `python3 on PATH` or `/usr/bin/python3 (Debian)`. */
  readonly chosenBy: string;
  /** Module name → version, for every module asked for. */
  readonly modules: Readonly<Record<string, string>>;
}

/** What the Debian packages give; the hint every "no interpreter" error carries. */
export const PYTHON_INSTALL_HINT =
  'apt-get install python3-torch python3-torchvision python3-onnx python3-numpy (Debian), or set CROSSRT_PYTHON to an interpreter that can import them';

interface Candidate {
  readonly path: string;
  readonly chosenBy: string;
}

/**
 * The candidates in order: `CROSSRT_PYTHON` first (the user said so), then `python3` on PATH, then
 * Debian's `/usr/bin/python3`. The middle one is often a pyenv or venv interpreter that cannot see
 * Debian's dist-packages, which is why a candidate is only taken after it imported every module.
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): Candidate[] {
  const list: Candidate[] = [];
  if (env['CROSSRT_PYTHON']) list.push({ path: env['CROSSRT_PYTHON'], chosenBy: 'CROSSRT_PYTHON' });
  list.push(
    { path: 'python3', chosenBy: 'python3 on PATH' },
    { path: '/usr/bin/python3', chosenBy: '/usr/bin/python3 (Debian)' },
  );
  return list;
}

const cache = new Map<string, PythonInterpreter>();

/**
 * The first candidate that can import every module in `modules` (found on its path; ~30 ms a try);
 * the answer is cached per process. When `CROSSRT_PYTHON` is set
 * and fails, that is the error (no silent fallback from what the user chose).
 */
export function findPython(modules: readonly string[], env: NodeJS.ProcessEnv = process.env): PythonInterpreter {
  const key = `${env['CROSSRT_PYTHON'] ?? ''}\0${modules.join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const tried: string[] = [];
  for (const c of pythonCandidates(env)) {
    const probe = probeInterpreter(c.path, modules);
    if ('version' in probe) {
      const found = { ...probe, path: probe.path, chosenBy: c.chosenBy };
      cache.set(key, found);
      return found;
    }
    tried.push(`${c.path} (${c.chosenBy}): ${probe.failure}`);
    if (c.chosenBy === 'CROSSRT_PYTHON') {
      throw new CrossrtError(
        'SOURCE_UNAVAILABLE',
        `CROSSRT_PYTHON=${c.path} cannot be used: ${probe.failure}`,
        PYTHON_INSTALL_HINT,
      );
    }
  }
  throw new CrossrtError(
    'SOURCE_UNAVAILABLE',
    `no Python interpreter can import ${modules.join(', ')}; tried ${tried.join('; ')}`,
    PYTHON_INSTALL_HINT,
  );
}

// find_spec and package metadata, not imports: importing torch takes ~2 s, and the bridge imports it anyway.
const PROBE = `
import importlib.util, importlib.metadata, json, sys
mods = {}
missing = []
for name in sys.argv[1:]:
    if importlib.util.find_spec(name) is None:
        missing.append(name)
        continue
    try:
        mods[name] = importlib.metadata.version(name)
    except Exception:
        mods[name] = "?"
print(json.dumps({"path": sys.executable, "version": sys.version.split()[0], "modules": mods, "missing": missing}))
`;

function probeInterpreter(
  path: string,
  modules: readonly string[],
): Omit<PythonInterpreter, 'chosenBy'> | { failure: string } {
  const r = spawnSync(path, ['-c', PROBE, ...modules], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { failure: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message };
  if (r.status !== 0) return { failure: `exited ${r.status}: ${(r.stderr || '').trim().split('\n').at(-1) ?? ''}` };
  try {
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      path: string;
      version: string;
      modules: Record<string, string>;
      missing: string[];
    };
    if (out.missing.length > 0) return { failure: `cannot import ${out.missing.join(', ')}` };
    return { path: out.path, version: out.version, modules: out.modules };
  } catch {
    return { failure: `unexpected probe output: ${r.stdout.slice(0, 200)}` };
  }
}
