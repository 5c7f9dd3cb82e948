/**
 * Test-only adapter: the real onnxruntime-node adapter whose float32 outputs move by a few ULPs from
 * run to run (each element times 1 + u·2^-22, u uniform in [-1, 1)), the way a GPU EP or a threaded
 * kernel that sums in varying order does. Loaded by TargetHost through a file URL as adapterModule.
 */
import { createRuntime as createOrtNodeRuntime } from '../dist/index.js';

export function createRuntime() {
  const real = createOrtNodeRuntime();
  return {
    name: real.name,
    probe: (backend) => real.probe(backend),
    async load(req) {
      const loaded = await real.load(req);
      const session = loaded.session;
      return {
        ...loaded,
        session: {
          inputNames: session.inputNames,
          outputNames: session.outputNames,
          async run(feeds) {
            const out = await session.run(feeds);
            for (const t of Object.values(out.outputs)) {
              if (t?.dtype !== 'float32') continue;
              const d = t.data;
              for (let i = 0; i < d.length; i++) d[i] *= 1 + (Math.random() * 2 - 1) * 2 ** -22;
            }
            return out;
          },
          dispose: () => session.dispose(),
        },
      };
    },
  };
}
