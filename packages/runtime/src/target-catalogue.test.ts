import { afterEach, describe, expect, it, vi } from 'vitest';
import { chromiumLibDir, findTarget, WASM_TIERING_BUDGET } from './target-catalogue.js';

const DEFAULT_WASM_FLAGS = ['--no-opt', `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`];

// The flags are read when a descriptor's host settings are read, not when the module is imported:
// the defaults hold whatever the developer's shell exports, and a variable set later is heard.
describe('environment flags of the target catalogue', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('gives the default host flags when no variable is set, even if the shell had set them', () => {
    vi.stubEnv('CROSSRT_WASM_TIERING', undefined);
    vi.stubEnv('CROSSRT_JS_TIERING', undefined);
    vi.stubEnv('CROSSRT_CHROMIUM_LIB_DIR', undefined);
    expect(findTarget('ort-web:wasm').hostNodeFlags).toEqual(DEFAULT_WASM_FLAGS);
    expect(findTarget('ort-node:cpu').hostNodeFlags).toEqual(['--no-opt']);
    expect(chromiumLibDir()).toBe('/usr/lib/chromium');
    expect(findTarget('ort-node:webgpu').hostEnvironments?.[1]?.env['VK_ICD_FILENAMES']).toBe(
      '/usr/lib/chromium/vk_swiftshader_icd.json',
    );
  });

  it('hears a variable set after import, and the defaults come back once it is unset', () => {
    vi.stubEnv('CROSSRT_WASM_TIERING', 'liftoff');
    vi.stubEnv('CROSSRT_JS_TIERING', 'default');
    vi.stubEnv('CROSSRT_CHROMIUM_LIB_DIR', '/opt/chrome');
    expect(findTarget('ort-web:wasm').hostNodeFlags).toEqual(['--liftoff-only']);
    expect(findTarget('ort-node:cpu').hostNodeFlags).toEqual([]);
    expect(findTarget('ort-node:webgpu').hostEnvironments?.[1]?.env['VK_ICD_FILENAMES']).toBe(
      '/opt/chrome/vk_swiftshader_icd.json',
    );
    vi.stubEnv('CROSSRT_WASM_TIERING', 'dynamic');
    expect(findTarget('ort-web:wasm').hostNodeFlags).toEqual([]);

    vi.stubEnv('CROSSRT_WASM_TIERING', undefined);
    vi.stubEnv('CROSSRT_JS_TIERING', undefined);
    expect(findTarget('ort-web:wasm').hostNodeFlags).toEqual(DEFAULT_WASM_FLAGS);
  });

  it('a spread descriptor keeps the flags of the moment it was made', () => {
    vi.stubEnv('CROSSRT_WASM_TIERING', 'liftoff');
    vi.stubEnv('CROSSRT_JS_TIERING', undefined);
    const copy = { ...findTarget('ort-web:wasm'), id: 'ort-web:wasm@copy' };
    vi.stubEnv('CROSSRT_WASM_TIERING', undefined);
    expect(copy.hostNodeFlags).toEqual(['--no-opt', '--liftoff-only']);
  });
});
