import { accessSync, constants } from 'node:fs';
import { CrossrtError } from '@crossrt/core/base';

/** Where a system Chromium usually lives; `CROSSRT_CHROMIUM` overrides. Never a downloaded browser. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

export const CHROMIUM_INSTALL_HINT = 'install the system browser (Debian/Ubuntu: `sudo apt-get install chromium`, or run `npm run setup`), or point CROSSRT_CHROMIUM at a Chromium/Chrome binary; crossrt never downloads a browser';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium binary to drive, or a CrossrtError with the install hint. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['CROSSRT_CHROMIUM'];
  if (configured) {
    if (executable(configured)) return configured;
    throw new CrossrtError('TARGET_UNAVAILABLE', `CROSSRT_CHROMIUM=${configured} is not an executable file`, CHROMIUM_INSTALL_HINT);
  }
  const found = CHROMIUM_CANDIDATES.find(executable);
  if (!found) throw new CrossrtError('TARGET_UNAVAILABLE', `no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')})`, CHROMIUM_INSTALL_HINT);
  return found;
}

/** Flags for a quiet, offline, headless Chromium (no sandbox: CI containers run as root). */
export const BASE_CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-quic', '--disable-default-apps', '--disable-extensions', '--mute-audio', '--disable-dev-shm-usage',
];

/** WebGPU in headless Chromium; `swiftshader` picks the software adapter (hosts without a usable GPU). */
export function webGpuArgs(adapter: 'default' | 'swiftshader'): string[] {
  const args = ['--enable-unsafe-webgpu', '--enable-features=Vulkan'];
  if (adapter === 'swiftshader') args.push('--use-webgpu-adapter=swiftshader');
  return args;
}

/** WebGL through ANGLE on SwiftShader when there is no GPU. */
export const WEBGL_SOFTWARE_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
