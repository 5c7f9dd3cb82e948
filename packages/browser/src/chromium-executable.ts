import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { CrossrtError } from '@crossrt/core/base';

/** Where a system Chromium usually lives; `CROSSRT_CHROMIUM` overrides. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
];

/** The one command per way of getting a browser; crossrt itself never downloads one. */
export const CHROMIUM_INSTALL_HINT =
  'install the system browser (Debian/Ubuntu: `sudo apt-get install chromium`), or a Playwright-managed one (`npx playwright-core install chromium`, in the project that has crossrt), or point CROSSRT_CHROMIUM at a Chromium/Chrome binary; crossrt never downloads a browser itself';

/** The browser a Chromium target would drive, and which rule picked it (printed by `crossrt doctor`). */
export interface ChromiumLocation {
  readonly path: string;
  readonly chosenBy: 'CROSSRT_CHROMIUM' | 'system' | 'playwright';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `npx playwright-core install chromium` puts the browser for the playwright-core crossrt drives
 * (under PLAYWRIGHT_BROWSERS_PATH, else ~/.cache/ms-playwright), whether or not it is there. Loaded
 * only when no system browser was found: importing playwright-core costs ~0.5 s.
 */
export function playwrightChromiumPath(): string | undefined {
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    return chromium.executablePath() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Chromium binary to drive: `CROSSRT_CHROMIUM` (the user said so; no fallback when it is wrong),
 * then a system browser, then one Playwright installed for this playwright-core version. The system
 * one comes first because Debian's also ships the SwiftShader Vulkan ICD the WebGPU targets use.
 */
export function locateChromium(
  env: NodeJS.ProcessEnv = process.env,
  systemCandidates: readonly string[] = CHROMIUM_CANDIDATES,
): ChromiumLocation {
  const configured = env['CROSSRT_CHROMIUM'];
  if (configured) {
    if (executable(configured)) return { path: configured, chosenBy: 'CROSSRT_CHROMIUM' };
    throw new CrossrtError(
      'TARGET_UNAVAILABLE',
      `CROSSRT_CHROMIUM=${configured} is not an executable file`,
      CHROMIUM_INSTALL_HINT,
    );
  }
  const system = systemCandidates.find(executable);
  if (system) return { path: system, chosenBy: 'system' };
  const playwright = playwrightChromiumPath();
  if (playwright && executable(playwright)) return { path: playwright, chosenBy: 'playwright' };
  const looked = [...systemCandidates, ...(playwright ? [`${playwright} (Playwright)`] : [])];
  throw new CrossrtError(
    'TARGET_UNAVAILABLE',
    `no Chromium found (looked at ${looked.join(', ')})`,
    CHROMIUM_INSTALL_HINT,
  );
}

/** The Chromium binary to drive, or a CrossrtError with the install hint. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  return locateChromium(env).path;
}

/** Flags for a quiet, offline, headless Chromium (no sandbox: CI containers run as root). */
export const BASE_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
  '--disable-dev-shm-usage',
];

/** WebGPU in headless Chromium; `swiftshader` picks the software adapter (hosts without a usable GPU). */
export function webGpuArgs(adapter: 'default' | 'swiftshader'): string[] {
  const args = ['--enable-unsafe-webgpu', '--enable-features=Vulkan'];
  if (adapter === 'swiftshader') args.push('--use-webgpu-adapter=swiftshader');
  return args;
}

/** WebGL through ANGLE on SwiftShader when there is no GPU. */
export const WEBGL_SOFTWARE_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
