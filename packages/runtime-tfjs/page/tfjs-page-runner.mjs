/**
 * TensorFlow.js inside the page: the page-side runner for tfjs:{webgl,webgpu}@chromium (contract in
 * packages/browser/page/page-bridge.mjs). The UMD bundles come from node_modules/@tensorflow/*\/dist,
 * served at /tfjs/<package>/; nothing comes from a CDN. The model arrives as one "model bundle" (see
 * src/tfjs-model-bundle.ts): u32 LE length | model.json bytes | all weight shards concatenated.
 *
 * Placement: TF.js has no per-kernel fallback, but it does fall back to another *backend* when the
 * requested one fails to initialize. The runner checks tf.getBackend() after setBackend and refuses to
 * run on anything else, so a pass on tfjs:webgl@chromium really ran WebGL kernels.
 */
import { webglRenderer } from '/crossrt/page-device.mjs';

let tf;
let model;
let modelFormat;
let inputNames = [];
let outputNames = [];
let activeBackend;
let gpuAdapterInfo;

const BUNDLES = {
  webgl: ['/tfjs/tfjs-core/tf-core.min.js', '/tfjs/tfjs-backend-webgl/tf-backend-webgl.min.js'],
  webgpu: ['/tfjs/tfjs-core/tf-core.min.js', '/tfjs/tfjs-backend-webgpu/tf-backend-webgpu.min.js'],
};
const COMMON = ['/tfjs/tfjs-converter/tf-converter.min.js', '/tfjs/tfjs-layers/tf-layers.min.js'];

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(s);
  });
}

async function tfFor(backend) {
  if (!tf) {
    for (const src of [...BUNDLES[backend], ...COMMON]) await loadScript(src);
    tf = globalThis.tf;
  }
  return tf;
}

async function activate(backend) {
  if (activeBackend === backend) return;
  const t = await tfFor(backend);
  let set = false;
  try {
    set = await t.setBackend(backend);
    await t.ready();
  } catch (e) {
    throw new Error(`TF.js backend ${backend} failed to initialize: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!set || t.getBackend() !== backend)
    throw new Error(`TF.js backend ${backend} did not initialize (active: ${t.getBackend()})`);
  activeBackend = backend;
}

export async function probe(backend) {
  if (!(backend in BUNDLES))
    return { available: false, reason: `TF.js in Chromium has no "${backend}" backend in crossrt (webgl, webgpu)` };
  const t = await tfFor(backend);
  const runtimeVersion = t.version_core;
  if (backend === 'webgpu') {
    if (!navigator.gpu)
      return {
        available: false,
        reason: 'navigator.gpu is missing (WebGPU disabled or not a secure context)',
        runtimeVersion,
      };
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter)
      return { available: false, reason: 'navigator.gpu.requestAdapter() returned no adapter', runtimeVersion };
    gpuAdapterInfo = adapter.info;
  } else if (!webglRenderer()) {
    return { available: false, reason: 'no WebGL context in this Chromium', runtimeVersion };
  }
  try {
    await activate(backend);
  } catch (e) {
    return { available: false, reason: e.message, runtimeVersion };
  }
  if (backend === 'webgpu') {
    const i = gpuAdapterInfo;
    return {
      available: true,
      reason: `TF.js ${runtimeVersion} WebGPU on ${i.vendor} ${i.architecture}${i.isFallbackAdapter ? ' (fallback adapter)' : ''}`,
      runtimeVersion,
    };
  }
  const r = webglRenderer();
  const f32 = t.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
  return {
    available: true,
    reason: `TF.js ${runtimeVersion} WebGL ${t.env().getNumber('WEBGL_VERSION')} on ${r.renderer}${f32 ? '' : ' (no float32 render targets: float16 textures)'}`,
    runtimeVersion,
  };
}

function device(backend) {
  const runtimeVersion = tf.version_core;
  const base = { runtime: `tfjs-backend-${backend}`, runtimeVersion, kind: 'gpu' };
  if (backend === 'webgpu') {
    const i = gpuAdapterInfo ?? {};
    return {
      ...base,
      description: [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'WebGPU adapter',
      details: {
        backend,
        executionProvider: 'tfjs-webgpu',
        adapterVendor: i.vendor ?? '',
        adapterArchitecture: i.architecture ?? '',
        fallbackAdapter: i.isFallbackAdapter === true,
        modelFormat,
      },
    };
  }
  const r = webglRenderer() ?? { vendor: '', renderer: 'unknown', version: '' };
  return {
    ...base,
    description: r.renderer,
    details: {
      backend,
      executionProvider: 'tfjs-webgl',
      glVendor: r.vendor,
      glRenderer: r.renderer,
      glVersion: r.version,
      webglVersion: tf.env().getNumber('WEBGL_VERSION'),
      float32Textures: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'),
      modelFormat,
    },
  };
}

function unbundle(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(0, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + jsonLength)));
  const weights = bytes.slice(4 + jsonLength);
  return { json, weightData: weights.buffer };
}

export async function load({ backend, model: bytes }) {
  await activate(backend);
  if (model) model.dispose();
  model = undefined;
  const { json, weightData } = unbundle(bytes);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    ...(json.format ? { format: json.format } : {}),
    ...(json.signature ? { signature: json.signature } : {}),
    ...(json.modelInitializer ? { modelInitializer: json.modelInitializer } : {}),
  });
  const isGraph = json.format === 'graph-model' || Array.isArray(json.modelTopology.node);
  modelFormat = isGraph ? 'graph-model' : 'layers-model';
  if (isGraph) {
    model = await tf.loadGraphModel(handler);
    inputNames = [...model.inputNodes];
    outputNames = [...model.outputNodes];
  } else {
    model = await tf.loadLayersModel(handler);
    if (model.inputNames.length === 0 && typeof model.build === 'function') model.build();
    inputNames = [...model.inputNames];
    outputNames = [...model.outputNames];
  }
  const nodes =
    json.modelTopology.node?.length ??
    json.modelTopology.model_config?.config?.layers?.length ??
    json.modelTopology.config?.layers?.length ??
    0;
  return {
    inputNames,
    outputNames,
    device: device(backend),
    placement: { source: 'requested', providers: [{ ep: `tfjs-${backend}`, nodes }], fallbackNodes: [] },
  };
}

function toTensor(name, t) {
  if (t.dtype === 'int64') {
    const out = new Int32Array(t.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = Number(t.data[i]);
      if (v < -2147483648 || v > 2147483647)
        throw new Error(`input "${name}" is int64 with value ${t.data[i]} outside TF.js's int32 range`);
      out[i] = v;
    }
    return tf.tensor(out, t.dims, 'int32');
  }
  if (t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool' || t.dtype === 'string')
    return tf.tensor(t.data, t.dims, t.dtype);
  throw new Error(`input "${name}" is ${t.dtype}, which TF.js cannot hold`);
}

export async function run(feeds) {
  if (tf.getBackend() !== activeBackend)
    throw new Error(`TF.js switched backend to ${tf.getBackend()}; refusing to report it as ${activeBackend}`);
  const inputs = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = toTensor(name, t);
  let produced = [];
  try {
    const t0 = performance.now();
    if (modelFormat === 'graph-model') {
      let r;
      try {
        r = model.execute(inputs, outputNames);
      } catch (e) {
        if (!/executeAsync/.test(e instanceof Error ? e.message : String(e))) throw e;
        r = await model.executeAsync(inputs, outputNames);
      }
      produced = Array.isArray(r) ? r : [r];
    } else {
      const missing = inputNames.filter((n) => !(n in inputs));
      if (missing.length > 0)
        throw new Error(`missing input(s) ${missing.join(', ')}; the model takes ${inputNames.join(', ')}`);
      const r = model.predict(inputNames.map((n) => inputs[n]));
      produced = Array.isArray(r) ? r : [r];
    }
    const outputs = {};
    // data() waits for the GPU: the download is part of the run, as it is for every caller.
    for (const [i, t] of produced.entries()) {
      const data = await t.data();
      outputs[outputNames[i]] = {
        dtype: t.dtype === 'bool' ? 'bool' : t.dtype,
        dims: [...t.shape],
        data: t.dtype === 'bool' ? Uint8Array.from(data) : data,
      };
    }
    return { outputs, runMs: performance.now() - t0 };
  } finally {
    tf.dispose([...Object.values(inputs), ...produced]);
  }
}

export async function dispose() {
  if (model) model.dispose();
  model = undefined;
}
