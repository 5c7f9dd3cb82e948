import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
// The subpath, not the package: its index loads playwright-core, ~0.8 s of every harness import.
import { locateChromium } from '@crossrt/browser/chromium-executable';
import { describeError } from '@crossrt/core';
import { findPython, PYTHON_INSTALL_HINT } from '@crossrt/python-bridge';
import { chromiumLibDir } from '@crossrt/runtime';

/**
 * `crossrt doctor`: what this installation has, what it lacks, and the one command that adds each
 * missing part. Checks files and versions only (about a second: the Python probes and
 * `chromium --version`); `crossrt targets` is the proof that each target really runs.
 */
export interface DoctorCheck {
  readonly id: string;
  readonly component: string;
  /** `warn`: present, or not needed, but something will bite (e.g. the next install downloads CUDA). */
  readonly status: 'ok' | 'missing' | 'warn';
  /** A required part missing makes `crossrt doctor` exit 1; optional parts only disable targets or commands. */
  readonly required: boolean;
  readonly detail: string;
  /** The targets or commands it enables. */
  readonly enables: string;
  readonly fix?: string;
}

export interface DoctorReport {
  readonly checks: readonly DoctorCheck[];
  /** Every required part is there. */
  readonly ok: boolean;
}

const require = createRequire(import.meta.url);
export const NODE_MINIMUM = [20, 19] as const;
export const ONNX_TESTDATA_DIR = '/usr/share/libonnx-testdata/data';
/** What crossrt's own install line sets; the CUDA EP is never used by crossrt's targets. */
export const ORT_INSTALL_SKIP = 'ONNXRUNTIME_NODE_INSTALL=skip';

/**
 * A package as the adapter that imports it would find it: resolved from that adapter's folder, then
 * up to the package.json carrying its name (onnxruntime-node exports no ./package.json).
 */
function installedPackage(adapter: string, name: string): { version: string; dir: string } | undefined {
  let entry: string;
  try {
    entry = createRequire(require.resolve(adapter)).resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === name) return { version: manifest.version ?? '?', dir };
  }
  return undefined;
}

function nodeCheck(): DoctorCheck {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const ok = major > NODE_MINIMUM[0] || (major === NODE_MINIMUM[0] && minor >= NODE_MINIMUM[1]);
  return {
    id: 'node',
    component: 'Node.js',
    status: ok ? 'ok' : 'missing',
    required: true,
    detail: `${process.version} (needs >= ${NODE_MINIMUM.join('.')})`,
    enables: 'everything',
    ...(ok ? {} : { fix: `install Node.js ${NODE_MINIMUM.join('.')} or newer (e.g. nvm install 20)` }),
  };
}

function ortNodeChecks(env: NodeJS.ProcessEnv, cwd: string): DoctorCheck[] {
  const ort = installedPackage('@crossrt/runtime-ort-node', 'onnxruntime-node');
  const binDir = ort ? join(ort.dir, 'bin', 'napi-v6', platform(), arch()) : '';
  const binding = ort !== undefined && existsSync(join(binDir, 'onnxruntime_binding.node'));
  const runtime: DoctorCheck = {
    id: 'onnxruntime-node',
    component: 'onnxruntime-node',
    required: true,
    enables: 'ort-node:cpu, ort-node:webgpu',
    status: binding ? 'ok' : 'missing',
    detail: !ort
      ? 'not installed'
      : binding
        ? `${ort.version} (${ort.dir})`
        : `${ort.version} has no native binding for ${platform()}/${arch()} (${binDir})`,
    ...(binding ? {} : { fix: `${ORT_INSTALL_SKIP} npm install` }),
  };
  // ORT's postinstall downloads the CUDA EP from NuGet only on linux/x64 (script/install-metadata.js).
  const downloads = platform() === 'linux' && arch() === 'x64';
  const cuda = join(binDir, 'libonnxruntime_providers_cuda.so');
  const cudaMb = ort && existsSync(cuda) ? Math.round(statSync(cuda).size / 1e6) : 0;
  const fromEnv =
    env['ONNXRUNTIME_NODE_INSTALL'] === 'skip'
      ? 'ONNXRUNTIME_NODE_INSTALL=skip is set'
      : env['npm_config_onnxruntime_node_install'] === 'skip'
        ? 'npm passes onnxruntime-node-install=skip (an .npmrc key: npm 11 warns "Unknown project config" on every npm command; the variable is silent)'
        : undefined;
  const project = projectDir(cwd);
  const npmrc = project ? join(project, '.npmrc') : undefined;
  const inNpmrc =
    npmrc !== undefined &&
    existsSync(npmrc) &&
    /^\s*onnxruntime-node-install\s*=\s*skip\b/m.test(readFileSync(npmrc, 'utf8'));
  const denied = project ? deniesOrtScripts(join(project, 'package.json')) : false;
  const state =
    [
      denied
        ? `${join(project!, 'package.json')} allowScripts denies onnxruntime-node's postinstall (npm skips it silently)`
        : '',
      fromEnv ?? '',
      inNpmrc ? '.npmrc sets onnxruntime-node-install=skip (npm 11 warns about it on every command)' : '',
    ]
      .filter(Boolean)
      .join('; ') || undefined;
  const skip: DoctorCheck = {
    id: 'ort-install-skip',
    component: 'onnxruntime-node CUDA download',
    required: false,
    enables: 'offline and faster installs (crossrt never uses the CUDA EP)',
    status: !downloads || state ? 'ok' : 'warn',
    detail: [
      !downloads
        ? `nothing to download on ${platform()}/${arch()}`
        : (state ?? 'not skipped: the next npm install / npm ci downloads the CUDA EP from NuGet (fails offline)'),
      cudaMb ? `CUDA EP already downloaded (${cudaMb} MB in ${binDir})` : '',
    ]
      .filter(Boolean)
      .join('; '),
    ...(downloads && !state
      ? {
          fix: `${ORT_DENY_COMMAND}   (npm with allowScripts, e.g. 11.19; older npm: export ${ORT_INSTALL_SKIP} before npm install / npm ci)`,
        }
      : {}),
  };
  return [runtime, skip];
}

/**
 * npm 11's allowScripts policy in package.json: an explicit `false` skips a dependency's install
 * scripts with no warning (npm 11.19 here), unlike an .npmrc key ("Unknown project config" on every
 * npm command). npm versions without the policy ignore the field; ONNXRUNTIME_NODE_INSTALL covers them.
 */
export const ORT_DENY_COMMAND = 'npm pkg set allowScripts.onnxruntime-node=false --json';

function deniesOrtScripts(packageJson: string): boolean {
  try {
    const policy =
      (JSON.parse(readFileSync(packageJson, 'utf8')) as { allowScripts?: Record<string, unknown> }).allowScripts ?? {};
    return Object.entries(policy).some(
      ([k, v]) => v === false && (k === 'onnxruntime-node' || k.startsWith('onnxruntime-node@')),
    );
  } catch {
    return false;
  }
}

/** The project npm installs into: the nearest folder up from cwd with a package.json. */
function projectDir(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function jsRuntimeChecks(): DoctorCheck[] {
  const web = installedPackage('@crossrt/runtime-ort-web', 'onnxruntime-web');
  const tf = installedPackage('@crossrt/runtime-tfjs', '@tensorflow/tfjs-core');
  const tfNode = installedPackage('@crossrt/runtime-tfjs', '@tensorflow/tfjs-node');
  return [
    {
      id: 'onnxruntime-web',
      component: 'onnxruntime-web',
      required: true,
      enables: 'ort-web:wasm, ort-web:*@chromium',
      status: web ? 'ok' : 'missing',
      detail: web ? `${web.version} (${web.dir})` : 'not installed',
      ...(web ? {} : { fix: `${ORT_INSTALL_SKIP} npm install` }),
    },
    {
      id: 'tfjs',
      component: 'TensorFlow.js',
      required: true,
      enables: 'tfjs:cpu, tfjs:wasm, tfjs:*@chromium',
      status: tf ? 'ok' : 'missing',
      detail: tf ? `@tensorflow/tfjs-core ${tf.version}` : 'not installed',
      ...(tf ? {} : { fix: `${ORT_INSTALL_SKIP} npm install` }),
    },
    {
      id: 'tfjs-node',
      component: '@tensorflow/tfjs-node',
      required: false,
      enables: 'tfjs-node:tensorflow',
      status: tfNode ? 'ok' : 'missing',
      detail: tfNode
        ? `${tfNode.version} (crossrt targets loads its binding)`
        : 'not installed: optional, because its install script downloads libtensorflow (and fails offline)',
      // Its version must match tfjs-core's: both register kernels in one TF.js engine.
      ...(tfNode
        ? {}
        : {
            fix: `npm install -D @tensorflow/tfjs-node@${tf?.version ?? '4'}   (downloads libtensorflow; an npm that blocks install scripts needs allowScripts."@tensorflow/tfjs-node": true)`,
          }),
    },
  ];
}

function chromiumChecks(env: NodeJS.ProcessEnv): DoctorCheck[] {
  const enables = 'ort-web:*@chromium, tfjs:webgl@chromium, tfjs:webgpu@chromium';
  const fix =
    'sudo apt-get install chromium   (or: npx playwright-core install chromium, or CROSSRT_CHROMIUM=/path/to/chrome)';
  let browser: DoctorCheck;
  try {
    const found = locateChromium(env);
    const v = spawnSync(found.path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
    const version =
      v.status === 0
        ? v.stdout.trim().split('\n')[0]
        : `--version failed: ${(v.stderr || v.error?.message || '').trim().split('\n')[0]}`;
    const how = { CROSSRT_CHROMIUM: 'CROSSRT_CHROMIUM', system: 'system browser', playwright: 'Playwright-installed' }[
      found.chosenBy
    ];
    browser = {
      id: 'chromium',
      component: 'Chromium',
      required: false,
      enables,
      status: v.status === 0 ? 'ok' : 'warn',
      detail: `${found.path} (${how}): ${version}`,
      ...(v.status === 0 ? {} : { fix }),
    };
  } catch (e) {
    browser = {
      id: 'chromium',
      component: 'Chromium',
      required: false,
      enables,
      status: 'missing',
      detail: describeError(e).replace(/^TARGET_UNAVAILABLE: /, ''),
      fix,
    };
  }
  const icd = join(chromiumLibDir(env), 'vk_swiftshader_icd.json');
  const swiftshader: DoctorCheck = {
    id: 'swiftshader',
    component: 'SwiftShader Vulkan',
    required: false,
    enables: 'ort-node:webgpu on a machine without a GPU',
    status: existsSync(icd) ? 'ok' : 'missing',
    detail: existsSync(icd)
      ? icd
      : `no ${icd} (Debian's chromium package ships it; CROSSRT_CHROMIUM_LIB_DIR points elsewhere)`,
    ...(existsSync(icd) ? {} : { fix: 'sudo apt-get install chromium' }),
  };
  return [browser, swiftshader];
}

function pythonCheck(
  id: string,
  component: string,
  modules: readonly string[],
  enables: string,
  fix: string,
  env: NodeJS.ProcessEnv,
): DoctorCheck {
  try {
    const py = findPython(modules, env);
    const how = py.chosenBy.startsWith(py.path) ? py.chosenBy.slice(py.path.length).trim() : `(${py.chosenBy})`;
    return {
      id,
      component,
      required: false,
      enables,
      status: 'ok',
      detail: `${py.path} ${how}, Python ${py.version}, ${Object.entries(py.modules)
        .map(([m, v]) => `${m} ${v}`)
        .join(', ')}`,
    };
  } catch (e) {
    return {
      id,
      component,
      required: false,
      enables,
      status: 'missing',
      detail: describeError(e).replace(/^SOURCE_UNAVAILABLE: /, ''),
      fix,
    };
  }
}

export function runDoctor(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DoctorReport {
  const apt =
    PYTHON_INSTALL_HINT.match(/apt-get install [\w .-]+?(?= \()/)?.[0] ??
    'apt-get install python3-torch python3-onnx python3-numpy';
  const checks: DoctorCheck[] = [
    nodeCheck(),
    ...ortNodeChecks(env, cwd),
    ...jsRuntimeChecks(),
    ...chromiumChecks(env),
    pythonCheck(
      'python-torch',
      'Python + torch, onnx, numpy',
      ['torch', 'onnx', 'numpy'],
      'crossrt torch (PyTorch as the oracle), suite torch entries',
      `sudo ${apt}   (or CROSSRT_PYTHON=/path/to/python with them)`,
      env,
    ),
    pythonCheck(
      'python-onnx',
      'Python + onnx, numpy',
      ['onnx', 'numpy'],
      'crossrt upgrade (onnx.version_converter)',
      'sudo apt-get install python3-onnx python3-numpy   (or CROSSRT_PYTHON=/path/to/python with them)',
      env,
    ),
    {
      id: 'onnx-testdata',
      component: 'ONNX backend test data',
      required: false,
      enables: `crossrt conformance ${ONNX_TESTDATA_DIR}/node`,
      status: existsSync(ONNX_TESTDATA_DIR) ? 'ok' : 'missing',
      detail: existsSync(ONNX_TESTDATA_DIR) ? ONNX_TESTDATA_DIR : `no ${ONNX_TESTDATA_DIR}`,
      ...(existsSync(ONNX_TESTDATA_DIR) ? {} : { fix: 'sudo apt-get install libonnx-testdata' }),
    },
  ];
  return { checks, ok: checks.every((c) => !c.required || c.status === 'ok') };
}
