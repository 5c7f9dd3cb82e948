/**
 * onnxruntime-web inside the page: the page-side runner for the ort-web:*@chromium targets
 * (contract in packages/browser/page/page-bridge.mjs). The bundle and its .wasm files are served from
 * node_modules/onnxruntime-web/dist at /ort/; nothing comes from a CDN.
 *
 * Placement: with logSeverityLevel 0 ORT prints its "Node placements" block to the console, which the
 * host collects and parses exactly like onnxruntime-node's stderr.
 */
import { webglRenderer } from '/crossrt/page-device.mjs';

let ort;
let session;
let gpuAdapter;
let adapterHandedOver = false;

const EP_NAME = { wasm: 'CPUExecutionProvider', webgpu: 'JsExecutionProvider', webgl: 'webgl' };

async function ortFor(backend) {
  if (!ort) {
    // The default bundle carries wasm + WebGPU (JSEP); WebGL lives only in the "all" bundle.
    ort = await import(backend === 'webgl' ? '/ort/ort.all.min.mjs' : '/ort/ort.min.mjs');
    ort.env.wasm.wasmPaths = '/ort/';
    ort.env.wasm.proxy = false;
  }
  return ort;
}

export async function probe(backend) {
  if (!(backend in EP_NAME))
    return { available: false, reason: `onnxruntime-web has no "${backend}" backend in crossrt` };
  const o = await ortFor(backend);
  const runtimeVersion = o.env.versions.web ?? o.env.versions.common;
  if (backend === 'webgpu') {
    if (!navigator.gpu)
      return {
        available: false,
        reason: 'navigator.gpu is missing (WebGPU disabled or not a secure context)',
        runtimeVersion,
      };
    gpuAdapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!gpuAdapter)
      return { available: false, reason: 'navigator.gpu.requestAdapter() returned no adapter', runtimeVersion };
    const i = gpuAdapter.info;
    return {
      available: true,
      reason: `onnxruntime-web ${runtimeVersion} WebGPU on ${i.vendor} ${i.architecture}${i.isFallbackAdapter ? ' (fallback adapter)' : ''}`,
      runtimeVersion,
    };
  }
  if (backend === 'webgl') {
    const r = webglRenderer();
    if (!r) return { available: false, reason: 'no WebGL context in this Chromium', runtimeVersion };
    return { available: true, reason: `onnxruntime-web ${runtimeVersion} WebGL on ${r.renderer}`, runtimeVersion };
  }
  if (typeof WebAssembly !== 'object')
    return { available: false, reason: 'no WebAssembly in this page', runtimeVersion };
  return {
    available: true,
    reason: `onnxruntime-web ${runtimeVersion} wasm${crossOriginIsolated ? ', threads available (cross-origin isolated)' : ''}`,
    runtimeVersion,
  };
}

function device(backend) {
  const runtimeVersion = ort.env.versions.web ?? ort.env.versions.common;
  const threads =
    typeof ort.env.wasm.numThreads === 'number' && ort.env.wasm.numThreads > 0 ? ort.env.wasm.numThreads : 1;
  const base = { runtime: 'onnxruntime-web', runtimeVersion, threads, simd: ort.env.wasm.simd !== false };
  if (backend === 'webgpu') {
    const i = gpuAdapter.info;
    return {
      ...base,
      kind: 'gpu',
      description: [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'WebGPU adapter',
      details: {
        executionProvider: EP_NAME.webgpu,
        adapterVendor: i.vendor,
        adapterArchitecture: i.architecture,
        adapterDevice: i.device,
        adapterDescription: i.description,
        fallbackAdapter: i.isFallbackAdapter === true,
      },
    };
  }
  if (backend === 'webgl') {
    const r = webglRenderer() ?? { vendor: '', renderer: 'unknown', version: '' };
    return {
      ...base,
      kind: 'gpu',
      description: r.renderer,
      details: { executionProvider: EP_NAME.webgl, glVendor: r.vendor, glRenderer: r.renderer, glVersion: r.version },
    };
  }
  return {
    ...base,
    kind: 'wasm',
    description: `WebAssembly (Chromium, ${threads} thread${threads === 1 ? '' : 's'}, SIMD)`,
    details: { executionProvider: EP_NAME.wasm },
  };
}

export async function load({ backend, model, placementLog, externalData }) {
  const o = await ortFor(backend);
  if (session) await session.release();
  session = undefined;
  // ORT takes the adapter once, before its WebGPU backend initializes; afterwards the property is frozen.
  if (backend === 'webgpu' && gpuAdapter && !adapterHandedOver) {
    o.env.webgpu.adapter = gpuAdapter;
    adapterHandedOver = true;
  }
  // 'verbose' lets the wasm side print the placement block; it takes effect when ORT first initializes.
  if (placementLog) o.env.logLevel = 'verbose';
  session = await o.InferenceSession.create(model, {
    executionProviders: [backend],
    logSeverityLevel: placementLog ? 0 : 3,
    logVerbosityLevel: 0,
    // External data files at loopback URLs: onnxruntime-web fetches each itself.
    ...(externalData ? { externalData: externalData.map(({ path, url }) => ({ path, data: url })) } : {}),
  });
  o.env.logLevel = 'warning';
  // No placement here: wasm/WebGPU placement comes from the console log. The WebGL backend is
  // onnxruntime-web's own JS engine (no EP partitioning, no log); an op it lacks fails the load.
  return { inputNames: [...session.inputNames], outputNames: [...session.outputNames], device: device(backend) };
}

export async function run(feeds) {
  const ortFeeds = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
  const t0 = performance.now();
  const out = await session.run(ortFeeds, { logSeverityLevel: 3 });
  const runMs = performance.now() - t0;
  const outputs = {};
  for (const [name, t] of Object.entries(out)) {
    outputs[name] = {
      dtype: t.type,
      dims: [...t.dims],
      data: t.location === 'cpu' || !t.location ? t.data : await t.getData(),
    };
  }
  return { outputs, runMs };
}

export async function dispose() {
  if (session) await session.release();
  session = undefined;
}
