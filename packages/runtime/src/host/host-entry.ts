/**
 * Entry of a host process: loads one adapter and serves requests from the harness over IPC.
 * Everything that can crash natively (runtimes, GPU drivers) lives here, never in the harness.
 */
import type { Runtime, RuntimeFactory, RuntimeSession } from '../runtime.js';
import { RuntimeFailure } from '../runtime.js';
import {
  DONE_MARKER,
  needsDoneMarker,
  type HostBatchItemReply,
  type HostExecuteReply,
  type HostLoadReply,
  type HostReply,
  type HostRequest,
} from './host-protocol.js';

let runtime: Runtime | undefined;
let session: RuntimeSession | undefined;

/**
 * Native runtimes (onnxruntime-node) write their log straight to fd 2 through C++ iostreams, which
 * share the pipe's open file with Node's process.stderr. Node puts that pipe in O_NONBLOCK mode the
 * first time process.stderr is used (here: the first done marker). From then on, a burst of verbose
 * log (thousands of lines a millisecond while ORT optimizes a graph) that fills the 64 KiB pipe
 * before the harness reads it makes write() fail with EAGAIN; the C++ stream sets badbit and stays
 * silent for the rest of the process, so every later session of this host "has no placement log".
 * Blocking writes (libuv's own switch for this, as Node uses for stdio on Windows) make a full pipe
 * wait for the reader instead, for native and JS writes alike.
 */
for (const stream of [process.stdout, process.stderr]) {
  (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle?.setBlocking?.(true);
}

async function adapter(moduleSpecifier: string): Promise<Runtime> {
  if (!runtime) {
    const mod = (await import(moduleSpecifier)) as { createRuntime?: RuntimeFactory };
    if (typeof mod.createRuntime !== 'function') throw new Error(`${moduleSpecifier} does not export createRuntime()`);
    runtime = await mod.createRuntime();
  }
  return runtime;
}

async function load(req: Omit<Extract<HostRequest, { type: 'load' }>, 'id' | 'type'>): Promise<HostLoadReply> {
  if (session) await session.dispose();
  session = undefined;
  const loaded = await (
    await adapter(req.adapterModule)
  ).load({
    backend: req.backend,
    modelPath: req.modelPath,
    placementLog: req.placementLog,
    ...(req.threads ? { threads: req.threads } : {}),
  });
  session = loaded.session;
  const { session: _s, ...rest } = loaded;
  return { ...rest, inputNames: session.inputNames, outputNames: session.outputNames };
}

/** Load, run every feed set, dispose. Run failures are `run-error`; anything before them is `load-error`. */
async function execute(req: Omit<Extract<HostRequest, { type: 'execute' }>, 'id' | 'type'>): Promise<HostExecuteReply> {
  const loaded = await load(req);
  const runs = [];
  try {
    for (const feeds of req.feedSets) runs.push(await session!.run(feeds));
  } catch (e) {
    throw e instanceof RuntimeFailure ? e : new RuntimeFailure('run-error', e instanceof Error ? e.message : String(e));
  } finally {
    await session?.dispose();
    session = undefined;
  }
  return { ...loaded, runs };
}

async function handle(req: HostRequest): Promise<HostReply> {
  switch (req.type) {
    case 'probe': {
      let probed;
      try {
        const rt = await adapter(req.adapterModule);
        probed = await rt.probe(req.backend);
        // A warm-up that fails is not a probe failure: the first real load reports the cause.
        if (req.warm && probed.available) await rt.warm?.(req.warm).catch(() => undefined);
      } catch (e) {
        probed = { available: false, reason: `adapter failed to load: ${(e as Error).message.split('\n')[0]}` };
      }
      return { id: req.id, ok: true, value: probed };
    }
    case 'load':
      return { id: req.id, ok: true, value: await load(req) };
    case 'execute':
      return { id: req.id, ok: true, value: await execute(req) };
    case 'execute-batch': {
      const items: HostBatchItemReply[] = [];
      for (const item of req.items) {
        try {
          items.push({ ok: true, value: await execute({ ...req, ...item, placementLog: false }) });
        } catch (e) {
          // The engine itself died: this process is not trusted with the rest of the batch.
          if (e instanceof RuntimeFailure && e.kind === 'crash') throw e;
          const kind = e instanceof RuntimeFailure ? e.kind : 'load-error';
          items.push({
            ok: false,
            kind,
            message: e instanceof Error ? e.message : String(e),
            ...(e instanceof RuntimeFailure && e.code ? { code: e.code } : {}),
          });
        }
      }
      return { id: req.id, ok: true, value: { items } };
    }
    case 'run': {
      if (!session) return { id: req.id, ok: false, kind: 'run-error', message: 'no model loaded' };
      return { id: req.id, ok: true, value: await session.run(req.feeds) };
    }
    case 'dispose': {
      if (session) await session.dispose();
      session = undefined;
      return { id: req.id, ok: true, value: null };
    }
  }
}

process.on('message', (req: HostRequest) => {
  void handle(req)
    .catch((e: unknown): HostReply => {
      // An error that is not the adapter's own RuntimeFailure is named after the request it ended;
      // outside a load or a run (a failed dispose) the host itself is in doubt: a crash, and it exits.
      const kind =
        e instanceof RuntimeFailure
          ? e.kind
          : req.type === 'load' || req.type === 'execute'
            ? 'load-error'
            : req.type === 'run'
              ? 'run-error'
              : 'crash';
      const message = e instanceof Error ? e.message : String(e);
      return {
        id: req.id,
        ok: false,
        kind,
        message,
        ...(e instanceof RuntimeFailure && e.code ? { code: e.code } : {}),
      };
    })
    .then((reply) => {
      const send = () => {
        // After an engine crash this process is not trusted again: reply, then leave.
        if (!reply.ok && reply.kind === 'crash') process.send?.(reply, () => process.exit(70));
        else process.send?.(reply);
      };
      // The marker is only needed when the parent must see every log line of this request first.
      if (needsDoneMarker(req, reply)) process.stderr.write(`\n${DONE_MARKER}${req.id}\n`, send);
      else send();
    });
});
process.on('disconnect', () => {
  // Give adapters that own child processes (a browser) a moment to close them; never hang on it.
  const close = runtime?.close?.() ?? Promise.resolve();
  const deadline = setTimeout(() => process.exit(0), 3000);
  void close.finally(() => {
    clearTimeout(deadline);
    process.exit(0);
  });
});
