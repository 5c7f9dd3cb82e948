#!/usr/bin/env node
/**
 * Regenerates fixtures/crash/*.onnx (deterministic; needs `npm run build`). Each is y = Relu(x) on
 * float32[4] whose input is named `crossrt_fault_<kind>`: the test-only fault-injecting adapters
 * (packages/runtime-ort-node/test/fault-injecting-runtime.mjs, packages/browser/test/fault-page-runner.mjs)
 * see that name and make the engine really die or hang during session.run:
 *   abort        C abort() in the host process (SIGABRT)
 *   segv         SIGSEGV delivered to the host process
 *   hang         a busy loop that never yields (exercises the per-request timeout)
 *   native-oom   native buffers allocated until the host's memory limit kills it
 *   heap-oom     JS objects allocated until V8's heap limit aborts the process (or renderer)
 * Without a fault adapter the models are ordinary: any runtime computes Relu.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, encodeModel } from '@crossrt/model';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'crash');
const KINDS = ['abort', 'segv', 'hang', 'native-oom', 'heap-oom'];

await mkdir(root, { recursive: true });
for (const kind of KINDS) {
  const input = `crossrt_fault_${kind.replace('-', '_')}`;
  const model = buildModel({
    name: `fault_${kind.replace('-', '_')}`,
    opset: 13,
    inputs: [{ name: input, dtype: 'float32', dims: [4] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [4] }],
    nodes: [{ op: 'Relu', inputs: [input], outputs: ['y'], name: 'relu' }],
  });
  const path = join(root, `${kind}.onnx`);
  await writeFile(path, encodeModel(model));
  console.log(`wrote ${path}`);
}
