/**
 * Page side of the Chromium host. The Node side calls `window.crossrt.<verb>(...)` through
 * page.evaluate with small JSON arguments only; tensors and model bytes move as binary over the
 * loopback server (`/exchange/<key>`), never as JSON numbers. Each call ends by logging a marker so
 * the Node side knows every console line of that call (ORT's placement log) has arrived.
 *
 * A page-side runner is an ES module exporting:
 *   probe(backend)                       -> { available, reason, runtimeVersion? }
 *   load({ backend, model, placementLog, externalData? }) -> { inputNames, outputNames, device, placement? }
 *                                        (externalData: [{ path, url }], the model's external data files
 *                                        at loopback URLs, when the runtime's spec asked for them)
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
 * "Node placements" block, "kernel not found" refusals and the nodes ORT moved to the CPU as shape
 * work, which name the placement classes). Everything else (warnings, errors, the
 * runtime's own messages) still reaches the console live, so a crash keeps its tail. The wrapper is
 * installed before any runtime loads, because Emscripten binds console.log when a module starts.
 */
const RUNTIME_CHATTER = /^(\S+ \S+ )?\[[VI]:onnxruntime:/;
const PLACEMENT_LINE =
  /VerifyEachNodeIsAssignedToAnEp\]|kernel not found in registries|Force fallback to CPU execution/;
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

/**
 * Binary channel to the Node side (WebSocket on the loopback server). Messages are
 * u16 LE key length | key | bytes; Node pushes feeds before asking for a run, the page sends outputs
 * back the same way. Without it (it failed to open) slots go over HTTP GET/PUT on /exchange/<key>.
 */
let channel;
const arrived = new Map();
const waiting = new Map();

function openChannel() {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/channel`);
    ws.binaryType = 'arraybuffer';
    const timer = setTimeout(() => resolve(undefined), 3000);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve(ws);
    };
    ws.onerror = () => {
      clearTimeout(timer);
      resolve(undefined);
    };
    ws.onclose = () => {
      if (channel === ws) channel = undefined;
    };
    ws.onmessage = (event) => {
      const bytes = new Uint8Array(event.data);
      const keyLength = new DataView(event.data).getUint16(0, true);
      const key = new TextDecoder().decode(bytes.subarray(2, 2 + keyLength)).trimEnd();
      const payload = bytes.subarray(2 + keyLength);
      const w = waiting.get(key);
      if (w) {
        waiting.delete(key);
        w(payload);
      } else arrived.set(key, payload);
    };
  });
}

const fetchSlot = async (key) => new Uint8Array(await (await fetch(`/exchange/${key}`)).arrayBuffer());

/** A slot's bytes: pushed over the channel, or (empty notice, or no channel) fetched over HTTP. */
async function takeSlot(key) {
  if (!channel) return fetchSlot(key);
  let bytes = arrived.get(key);
  if (bytes) arrived.delete(key);
  else bytes = await new Promise((resolve) => waiting.set(key, resolve));
  return bytes.byteLength === 0 ? fetchSlot(key) : bytes;
}

async function putSlot(key, bytes) {
  if (channel) {
    const raw = new TextEncoder().encode(key);
    const k = new Uint8Array(((2 + raw.length + 7) & ~7) - 2).fill(0x20); // payload 8-aligned
    k.set(raw);
    const message = new Uint8Array(2 + k.length + bytes.byteLength);
    new DataView(message.buffer).setUint16(0, k.length, true);
    message.set(k, 2);
    message.set(bytes, 2 + k.length);
    channel.send(message);
    return;
  }
  const res = await fetch(`/exchange/${key}`, { method: 'PUT', body: bytes });
  if (!res.ok) throw new Error(`output upload failed: HTTP ${res.status}`);
}

/**
 * Calls posted by Node without a DevTools round trip (LoopbackServer.postToPage): one `GET /mailbox`
 * is always held open; its answer carries the call in a header and the call's bytes (the feeds) as
 * body, and the call's result goes back over the channel under the call's reply key.
 */
let mailboxOpen = false;
function openMailbox() {
  if (mailboxOpen || !channel) return;
  mailboxOpen = true;
  void (async () => {
    for (;;) {
      let call, bytes;
      try {
        const res = await fetch('/mailbox');
        if (res.status !== 200) break;
        call = JSON.parse(decodeURIComponent(res.headers.get('X-Crossrt-Call')));
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch {
        break;
      }
      void serveMailboxCall(call, bytes);
    }
    mailboxOpen = false;
  })();
}

async function serveMailboxCall({ callId, verb, args, bytesKey, replyKey }, bytes) {
  arrived.set(bytesKey, bytes);
  let result;
  try {
    result = await window.crossrt[verb](callId, ...args);
  } catch (e) {
    result = { ok: false, message: errorText(e), logLines: takeKeptLines() };
  }
  await putSlot(replyKey, new TextEncoder().encode(JSON.stringify(result)));
}

function errorText(e) {
  return e instanceof Error ? e.message : String(e);
}

window.crossrt = {
  async init(callId, runnerUrl) {
    return withMarker(callId, async () => {
      runner = await import(runnerUrl);
      channel ??= await openChannel();
      openMailbox();
      return {
        channel: channel !== undefined,
        mailbox: mailboxOpen,
        crossOriginIsolated: globalThis.crossOriginIsolated === true,
        hardwareConcurrency: navigator.hardwareConcurrency,
        userAgent: navigator.userAgent,
      };
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
      const f0 = performance.now();
      const model = new Uint8Array(await (await fetch(request.modelUrl)).arrayBuffer());
      const modelFetchMs = performance.now() - f0;
      const t0 = performance.now();
      try {
        takeKeptLines();
        const r = await runner.load({
          backend: request.backend,
          model,
          placementLog: request.placementLog,
          ...(request.externalData ? { externalData: request.externalData } : {}),
        });
        return { ok: true, loadMs: performance.now() - t0, modelFetchMs, ...r, logLines: takeKeptLines() };
      } catch (e) {
        return { ok: false, message: errorText(e), logLines: takeKeptLines() };
      }
    });
  },
  async run(callId, feedsKey, outputsKey) {
    return withMarker(callId, async () => {
      const feeds = decodeTensorBundle(await takeSlot(feedsKey));
      const t0 = performance.now();
      let result;
      try {
        result = await runner.run(feeds);
      } catch (e) {
        return { ok: false, message: errorText(e), logLines: takeKeptLines() };
      }
      takeKeptLines();
      const runMs = result.runMs ?? performance.now() - t0;
      await putSlot(outputsKey, encodeTensorBundle(result.outputs));
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
