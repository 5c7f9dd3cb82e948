import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createBrowserRuntime, webGpuArgs, WEBGL_SOFTWARE_ARGS } from '@crossrt/browser';
import { describeError, isCrossrtError, packageFile } from '@crossrt/core/base';
import { RuntimeFailure, type LoadRequest, type LoadedSession, type Runtime } from '@crossrt/runtime';
import { writeModelBundle } from './tfjs-model-bundle.js';

const require = createRequire(import.meta.url);
const PAGE_DIR = packageFile('@crossrt/runtime-tfjs', 'page');
const TFJS_PACKAGES = ['tfjs-core', 'tfjs-backend-webgl', 'tfjs-backend-webgpu', 'tfjs-converter', 'tfjs-layers'];

/** Each package's dist folder (its UMD browser bundles), served at /tfjs/<package>/; no CDN. */
function tfjsMounts(): Record<string, string> {
  const mounts: Record<string, string> = { '/runner/': PAGE_DIR };
  for (const p of TFJS_PACKAGES) mounts[`/tfjs/${p}/`] = dirname(require.resolve(`@tensorflow/${p}`));
  return mounts;
}

/**
 * tfjs:{webgl,webgpu}@chromium: TF.js browser bundles in headless system Chromium, through the browser
 * host (packages/browser). The model.json and its shards travel to the page as one bundle file.
 */
export function createRuntime(): Runtime {
  const page = createBrowserRuntime({
    name: 'tfjs',
    runnerUrl: '/runner/tfjs-page-runner.mjs',
    mounts: tfjsMounts(),
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
  });
  return {
    name: page.name,
    probe: (backend) => page.probe(backend),
    async load(req: LoadRequest): Promise<LoadedSession> {
      let bundle;
      try {
        bundle = await writeModelBundle(req.modelPath);
      } catch (e) {
        throw new RuntimeFailure('load-error', describeError(e), isCrossrtError(e) ? e.code : undefined);
      }
      try {
        return await page.load({ ...req, modelPath: bundle.path });
      } finally {
        await bundle.remove();
      }
    },
    ...(page.close ? { close: () => page.close!() } : {}),
  };
}
