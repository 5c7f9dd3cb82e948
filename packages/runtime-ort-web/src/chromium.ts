import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFile } from '@crossrt/core/base';
import { createBrowserRuntime, webGpuArgs, WEBGL_SOFTWARE_ARGS } from '@crossrt/browser';
import type { Runtime } from '@crossrt/runtime';

/** onnxruntime-web's dist folder (browser bundles + .wasm), served to the page; no CDN. */
const ORT_DIST = dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));
const PAGE_DIR = packageFile('@crossrt/runtime-ort-web', 'page');

/**
 * ort-web:{wasm,webgpu,webgl}@chromium: onnxruntime-web's browser bundle in headless system Chromium.
 * WebGPU tries Chromium's own adapter choice first (a real GPU on a desk), then SwiftShader.
 */
export function createRuntime(): Runtime {
  return createBrowserRuntime({
    name: 'ort-web',
    runnerUrl: '/runner/ort-web-page-runner.mjs',
    mounts: { '/ort/': ORT_DIST, '/runner/': PAGE_DIR },
    chromiumArgs: (backend) => {
      if (backend === 'webgpu')
        return [
          { label: 'default', args: webGpuArgs('default') },
          { label: 'swiftshader', args: webGpuArgs('swiftshader') },
        ];
      if (backend === 'webgl')
        return [
          { label: 'default', args: [] },
          { label: 'swiftshader', args: WEBGL_SOFTWARE_ARGS },
        ];
      return [{ label: 'default', args: [] }];
    },
    // The same test as ort-web:wasm in Node (ort-web-runtime.ts): only models that need it pay for decoding.
    externalData: {
      neededWhen: /external data|MountedFiles/i,
      async files(modelPath) {
        const { externalDataFiles, readModelFile } = await import('@crossrt/model');
        return externalDataFiles((await readModelFile(modelPath)).externalData);
      },
    },
  });
}
