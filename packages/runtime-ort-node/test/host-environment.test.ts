/**
 * Host environment selection for ort-node:webgpu: candidates are probed in order in real host
 * processes and the first whose WebGPU EP finds an adapter wins. A candidate pointing the Vulkan
 * loader at a missing ICD cannot find one, so SwiftShader (Debian chromium's ICD) must be chosen.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chromiumLibDir,
  findTarget,
  selectHostEnvironment,
  TargetHost,
  webGpuNativeEnvironments,
  type TargetDescriptor,
} from '@crossrt/runtime';

const libDir = chromiumLibDir();
const swiftshader = webGpuNativeEnvironments()[1]!;

describe('WebGPU host environment selection', () => {
  it('skips an environment without a working adapter and says which one it used', async () => {
    const icd = `${libDir}/vk_swiftshader_icd.json`;
    expect(
      existsSync(icd),
      `SwiftShader Vulkan ICD missing (${icd}): run npm run setup (Debian chromium ships it)`,
    ).toBe(true);
    const base = findTarget('ort-node:webgpu');
    const target: TargetDescriptor = {
      ...base,
      id: 'ort-node:webgpu@envtest',
      hostEnvironments: [
        { name: 'missing-icd', env: { VK_ICD_FILENAMES: '/nonexistent/icd.json', LD_LIBRARY_PATH: libDir } },
        swiftshader,
      ],
    };
    expect((await selectHostEnvironment(target))?.name).toBe('swiftshader');
    const host = new TargetHost(target);
    try {
      const probe = await host.probe();
      expect(probe.available).toBe(true);
      expect(host.environmentInUse).toBe('swiftshader');
      const { reply } = await host.load(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url).pathname);
      expect(reply.device).toMatchObject({
        kind: 'gpu',
        details: { adapterArchitecture: 'swiftshader', adapterVendor: 'google' },
      });
      expect(String(reply.device.details['hostEnvironment'])).toMatch(/^swiftshader \(no other WebGPU adapter worked/);
    } finally {
      await host.close();
    }
  }, 60_000);

  it('reports the first reason when no environment works', async () => {
    const base = findTarget('ort-node:webgpu');
    const target: TargetDescriptor = {
      ...base,
      id: 'ort-node:webgpu@none',
      hostEnvironments: [
        { name: 'missing-icd', env: { VK_ICD_FILENAMES: '/nonexistent/icd.json' } },
        { name: 'also-missing', env: { VK_ICD_FILENAMES: '/nonexistent/other.json' } },
      ],
    };
    const host = new TargetHost(target);
    try {
      const probe = await host.probe();
      expect(probe.available).toBe(false);
      expect(probe.reason).toMatch(/^WebGPU EP found no adapter/);
      expect(host.environmentInUse).toBe('missing-icd');
    } finally {
      await host.close();
    }
  }, 60_000);
});
