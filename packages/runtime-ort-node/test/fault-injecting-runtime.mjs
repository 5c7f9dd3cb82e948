/**
 * Test-only adapter: the real onnxruntime-node adapter, except that a model whose input is named
 * `crossrt_fault_<kind>` (fixtures/crash/, made by tools/make-crash-fixtures.mjs) makes the host
 * process really die or hang inside session.run. Loaded by TargetHost through a file URL as the
 * adapterModule, so it runs in the host process exactly where a native runtime crash would.
 */
import { createRuntime as createOrtNodeRuntime } from '../dist/index.js';

const FAULT_PREFIX = 'crossrt_fault_';

function triggerFault(kind) {
  switch (kind) {
    case 'abort':
      process.abort(); // C abort(): SIGABRT, core-dump style, no JS cleanup
      break;
    case 'segv':
      process.kill(process.pid, 'SIGSEGV');
      break;
    case 'hang':
      for (;;) {
        /* never yields: the event loop is blocked like a stuck native call */
      }
    case 'native_oom': {
      const held = [];
      for (;;) held.push(Buffer.alloc(32 * 1024 * 1024, 1)); // touched pages: resident memory grows
    }
    case 'heap_oom': {
      const held = [];
      for (;;) held.push(new Array(1_000_000).fill({ x: held.length }));
    }
    default:
      throw new Error(`unknown fault ${kind}`);
  }
}

export function createRuntime() {
  const real = createOrtNodeRuntime();
  return {
    name: real.name,
    probe: (backend) => real.probe(backend),
    async load(req) {
      const loaded = await real.load(req);
      const fault = loaded.session.inputNames.find((n) => n.startsWith(FAULT_PREFIX))?.slice(FAULT_PREFIX.length);
      if (!fault) return loaded;
      const session = loaded.session;
      return {
        ...loaded,
        session: {
          inputNames: session.inputNames,
          outputNames: session.outputNames,
          async run(feeds) {
            triggerFault(fault);
            return session.run(feeds);
          },
          dispose: () => session.dispose(),
        },
      };
    },
  };
}
