/**
 * Test-only page runner: onnxruntime-web's runner, except that a model whose input is named
 * `crossrt_fault_<kind>` (fixtures/crash/) makes the page really hang or run out of memory in run().
 */
import * as ortRunner from '/runner/ort-web-page-runner.mjs';

export const probe = ortRunner.probe;
export const load = ortRunner.load;
export const dispose = ortRunner.dispose;

export async function run(feeds) {
  const fault = Object.keys(feeds)
    .find((n) => n.startsWith('crossrt_fault_'))
    ?.slice('crossrt_fault_'.length);
  if (fault === 'hang')
    for (;;) {
      /* the renderer's main thread never yields */
    }
  if (fault === 'heap_oom') {
    const held = [];
    for (;;) held.push(new Array(1_000_000).fill({ n: held.length })); // until V8 kills the renderer
  }
  return ortRunner.run(feeds);
}
