/**
 * Page side of the Chromium host. The Node side calls `window.crossrt.<verb>(...)` through
 * page.evaluate with small JSON arguments only; tensors and model bytes move as binary over the
 * loopback server (`/exchange/<key>`), never as JSON numbers. Each call ends by logging a marker so
 * the Node side knows every console line of that call (ORT's placement log) has arrived.
 *
 * A page-side runner is an ES module exporting:
 *   probe(backend)                       -> { available, reason, runtimeVersion? }
 *   load({ backend, model, placementLog }) -> { inputNames, outputNames, device, placement? }
 *   run(feeds)                           -> { outputs, runMs? }  (tensors: { dtype, dims, data })
 *   dispose()
 */
import { decodeTensorBundle, encodeTensorBundle } from './tensor-wire.mjs';

const DONE = '\u0001crossrt-page-done:';
let runner;

/**
 * ORT's verbose and info lines ("[V:onnxruntime:...", "[I:onnxruntime:...") run to thousands per
 * session; sending each over the DevTools protocol costs more than the inference of a small model.
 * They are kept in the page instead, and each call returns only the lines that prove placement (the
 * "Node placements" block and "kernel not found" refusals). Everything else (warnings, errors, the
 * runtime's own messages) still reaches the console live, so a crash keeps its tail. The wrapper is
 * installed before any runtime loads, because Emscripten binds console.log when a module starts.
 */
const RUNTIME_CHATTER = /^(\S+ \S+ )?\[[VI]:onnxruntime:/;
const PLACEMENT_LINE = /VerifyEachNodeIsAssignedToAnEp\]|kernel not found in registries/;
let kept = [];
for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    const text = args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
    if (RUNTIME_CHATTER.test(text.replace(/^\u001b\[[0-9;]*m/, ''))) {
      if (PLACEMENT_LINE.test(text)) kept.push(text);
      return;
    }
    original(...args);
  };
}

function takeKeptLines() {
  const lines = kept;
  kept = [];
  return lines;
}

async function withMarker(callId, fn) {
  try {
    return await fn();
  } finally {
    console.log(`${DONE}${callId}`);
  }
}

function errorText(e) {
  return e instanceof Error ? e.message : String(e);
}

window.crossrt = {
  async init(callId, runnerUrl) {
    return withMarker(callId, async () => {
      runner = await import(runnerUrl);
      return { crossOriginIsolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent };
    });
  },
  async probe(callId, backend) {
    return withMarker(callId, async () => {
      try {
        return await runner.probe(backend);
      } catch (e) {
        return { available: false, reason: `page runner probe failed: ${errorText(e)}` };
      }
    });
  },
  async load(callId, request) {
    return withMarker(callId, async () => {
      const model = new Uint8Array(await (await fetch(request.modelUrl)).arrayBuffer());
      const t0 = performance.now();
      try {
        takeKeptLines();
        const r = await runner.load({ backend: request.backend, model, placementLog: request.placementLog });
        return { ok: true, loadMs: performance.now() - t0, ...r, logLines: takeKeptLines() };
      } catch (e) {
        return { ok: false, message: errorText(e), logLines: takeKeptLines() };
      }
    });
  },
  async run(callId, feedsKey, outputsKey) {
    return withMarker(callId, async () => {
      const feeds = decodeTensorBundle(new Uint8Array(await (await fetch(`/exchange/${feedsKey}`)).arrayBuffer()));
      const t0 = performance.now();
      let result;
      try {
        result = await runner.run(feeds);
      } catch (e) {
        return { ok: false, message: errorText(e), logLines: takeKeptLines() };
      }
      takeKeptLines();
      const runMs = result.runMs ?? performance.now() - t0;
      const body = encodeTensorBundle(result.outputs);
      const res = await fetch(`/exchange/${outputsKey}`, { method: 'PUT', body });
      if (!res.ok) return { ok: false, message: `output upload failed: HTTP ${res.status}` };
      return { ok: true, runMs };
    });
  },
  async dispose(callId) {
    return withMarker(callId, async () => {
      await runner?.dispose?.();
      return null;
    });
  },
};
