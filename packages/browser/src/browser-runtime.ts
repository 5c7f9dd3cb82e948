import type { DeviceInfo, HostTensor } from '@crossrt/core';
import { isCrossrtError } from '@crossrt/core/base';
import {
  RuntimeFailure,
  type LoadRequest,
  type LoadedSession,
  type ProbeResult,
  type Runtime,
  type RuntimeSession,
} from '@crossrt/runtime';
import { decodeTensorBundle, encodeTensorBundle } from '../page/tensor-wire.mjs';
import { ChromiumPage, PageCrashError } from './chromium-page.js';
import { BASE_CHROMIUM_ARGS, findChromium } from './chromium-executable.js';

/**
 * How one runtime runs in the page. Another adapter (TF.js) plugs in by writing a page-side runner
 * module (contract in page/page-bridge.mjs) and a Node entry that calls createBrowserRuntime(spec).
 */
export interface PageRunnerSpec {
  /** Runtime part of the target id, e.g. `ort-web`. */
  readonly name: string;
  /** URL of the page-side runner module under one of the mounts, e.g. `/runner/ort-web-page-runner.mjs`. */
  readonly runnerUrl: string;
  /** URL prefix → directory served to the page (the runtime's browser bundle, the runner's folder). */
  readonly mounts: Readonly<Record<string, string>>;
  /**
   * Chromium flag sets for a backend, tried in order until the runner's probe says available (e.g. the
   * system GPU first, then SwiftShader). Default: one set, no extra flags.
   */
  readonly chromiumArgs?: (backend: string) => readonly { readonly label: string; readonly args: readonly string[] }[];
  /**
   * For a runtime that takes a model's external data as a list of files (onnxruntime-web: the page has
   * no file system): `files` names them ({ path the model uses, file on disk }); the page gets each
   * at a loopback URL, as `externalData: [{ path, url }]` in its load request. Asked only after a load
   * failed with a message `neededWhen` matches, since listing the files means decoding the model.
   */
  readonly externalData?: {
    readonly neededWhen: RegExp;
    readonly files: (modelPath: string) => Promise<readonly { readonly path: string; readonly file: string }[]>;
  };
}

interface PageLoadResult {
  readonly ok: boolean;
  readonly message?: string;
  /** The runtime's placement lines, kept in the page instead of streamed (see page-bridge.mjs). */
  readonly logLines?: readonly string[];
  readonly loadMs: number;
  /** Time the page spent fetching the model bytes from the loopback server. */
  readonly modelFetchMs?: number;
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly device: DeviceInfo;
  readonly placement?: LoadedSession['placement'];
}

/** Console lines go to stderr, where the host collects them per request (placement logs, crash tails). */
function forwardConsole(line: string): void {
  process.stderr.write(`[page] ${line}\n`);
}

function crashError(e: unknown): RuntimeFailure | undefined {
  if (e instanceof PageCrashError) return new RuntimeFailure('crash', e.message);
  const text = e instanceof Error ? e.message : String(e);
  if (/Target (page, context or browser )?(has been )?closed|Target crashed|Browser has been closed/i.test(text)) {
    return new RuntimeFailure('crash', `the Chromium page went away: ${text.split('\n')[0]}`);
  }
  return undefined;
}

/**
 * A Runtime whose engine runs in headless system Chromium. One browser and one page per host process,
 * reused across cases; the host process owns the browser, so killing the host ends it too.
 */
export function createBrowserRuntime(spec: PageRunnerSpec): Runtime {
  let page: ChromiumPage | undefined;
  let pageBackend: string | undefined;
  let pageLabel = '';
  let probed: ProbeResult | undefined;
  let nextSlot = 1;
  /** Set when a load or run failed in the page: the next load starts from a fresh document. */
  let tainted = false;
  /** Whether the current document answered init with an open mailbox (see ChromiumPage.post). */
  let mailbox = false;

  async function openFor(backend: string): Promise<{ page: ChromiumPage; probe: ProbeResult }> {
    if (page?.alive && pageBackend === backend && probed) {
      if (tainted) {
        await page.reload();
        mailbox = (await page.call<{ mailbox?: boolean }>('init', spec.runnerUrl)).mailbox === true;
        probed = await page.call<ProbeResult>('probe', backend);
        tainted = false;
      }
      return { page, probe: probed };
    }
    await page?.close();
    page = undefined;
    const executablePath = findChromium();
    const attempts = spec.chromiumArgs?.(backend) ?? [{ label: 'default', args: [] }];
    let last: ProbeResult = { available: false, reason: 'no Chromium configuration to try' };
    for (const attempt of attempts) {
      const candidate = await ChromiumPage.open({
        executablePath,
        args: [...BASE_CHROMIUM_ARGS, ...attempt.args],
        mounts: spec.mounts,
        onConsole: forwardConsole,
      });
      const init = await candidate.call<{ mailbox?: boolean }>('init', spec.runnerUrl);
      last = await candidate.call<ProbeResult>('probe', backend);
      if (last.available) {
        mailbox = init.mailbox === true;
        page = candidate;
        pageBackend = backend;
        pageLabel = attempt.label;
        probed = last;
        return { page, probe: last };
      }
      await candidate.close();
    }
    throw Object.assign(new Error(last.reason), { probe: last });
  }

  return {
    name: spec.name,
    async probe(backend) {
      try {
        const { probe } = await openFor(backend);
        return {
          ...probe,
          reason: `${probe.reason}; Chromium ${page!.info.browserVersion}${pageLabel !== 'default' ? ` (${pageLabel})` : ''}`,
        };
      } catch (e) {
        if (isCrossrtError(e)) return { available: false, reason: `${e.message}; ${e.hint ?? ''}`.trim() };
        const p = (e as { probe?: ProbeResult }).probe;
        return p ?? { available: false, reason: `Chromium could not start: ${(e as Error).message.split('\n')[0]}` };
      }
    },
    async load(req: LoadRequest): Promise<LoadedSession> {
      let opened;
      try {
        opened = await openFor(req.backend);
      } catch (e) {
        // No Chromium, or no configuration whose probe says available: this target cannot run here.
        // Another CrossrtError (the loopback server would not start) is this load's failure.
        const code = isCrossrtError(e) ? e.code : 'TARGET_UNAVAILABLE';
        throw new RuntimeFailure(
          code === 'TARGET_UNAVAILABLE' ? 'unavailable' : 'load-error',
          isCrossrtError(e) ? `${e.message} (${e.hint ?? ''})` : (e as Error).message,
          code,
        );
      }
      const current = opened.page;
      const keys: string[] = [];
      const serve = (file: string) => {
        const key = `model-${nextSlot++}`;
        keys.push(key);
        return current.server.registerFile(key, file);
      };
      const modelUrl = serve(req.modelPath);
      const loadInPage = (externalData?: { path: string; url: string }[]) =>
        current.call<PageLoadResult>('load', {
          backend: req.backend,
          modelUrl,
          placementLog: req.placementLog ?? false,
          ...(externalData ? { externalData } : {}),
        });
      let r: PageLoadResult;
      try {
        r = await loadInPage();
        if (!r.ok && spec.externalData?.neededWhen.test(r.message ?? '')) {
          let files;
          try {
            files = await spec.externalData.files(req.modelPath);
          } catch (e) {
            throw new RuntimeFailure('load-error', (e as Error).message, isCrossrtError(e) ? e.code : undefined);
          }
          r = await loadInPage(files.map(({ path, file }) => ({ path, url: serve(file) })));
        }
      } catch (e) {
        if (e instanceof RuntimeFailure) throw e;
        throw crashError(e) ?? new RuntimeFailure('load-error', (e as Error).message);
      } finally {
        for (const key of keys) current.server.unregisterFile(key);
      }
      for (const line of r.logLines ?? []) forwardConsole(line);
      if (!r.ok) {
        tainted = true;
        throw new RuntimeFailure('load-error', r.message ?? 'load failed in the page');
      }
      const device: DeviceInfo = {
        ...r.device,
        details: {
          ...r.device.details,
          browser: `Chromium ${current.info.browserVersion}`,
          crossOriginIsolated: current.info.crossOriginIsolated,
          hardwareConcurrency: current.info.hardwareConcurrency,
          chromiumFlags: pageLabel,
          ...(r.modelFetchMs !== undefined ? { modelFetchMs: Math.round(r.modelFetchMs * 10) / 10 } : {}),
        },
      };
      const { logLines: _lines, ...loaded } = r;
      return {
        loadMs: r.loadMs,
        device,
        ...(r.placement ? { placement: r.placement } : {}),
        session: pageSession(
          current,
          loaded,
          () => nextSlot++,
          () => {
            tainted = true;
          },
          () => mailbox,
        ),
      };
    },
    async close() {
      await page?.close();
      page = undefined;
    },
  };
}

/** `mailbox()`: whether the page holds a mailbox request, so runs need no DevTools round trip. */
function pageSession(
  page: ChromiumPage,
  loaded: PageLoadResult,
  slot: () => number,
  taint: () => void,
  mailbox: () => boolean,
): RuntimeSession {
  return {
    inputNames: loaded.inputNames,
    outputNames: loaded.outputNames,
    async run(feeds) {
      const n = slot();
      const feedsKey = `feeds-${n}`;
      const outputsKey = `outputs-${n}`;
      let r: { ok: boolean; message?: string; runMs: number; logLines?: string[] };
      try {
        if (mailbox()) r = await page.post('run', [feedsKey, outputsKey], feedsKey, encodeTensorBundle(feeds));
        else {
          page.server.putSlot(feedsKey, encodeTensorBundle(feeds));
          r = await page.call('run', feedsKey, outputsKey);
        }
      } catch (e) {
        page.server.dropSlot(feedsKey);
        page.server.dropSlot(outputsKey);
        throw crashError(e) ?? new RuntimeFailure('run-error', (e as Error).message);
      }
      if (!r.ok) {
        for (const line of r.logLines ?? []) forwardConsole(line);
        taint();
        page.server.dropSlot(feedsKey);
        throw new RuntimeFailure('run-error', r.message ?? 'run failed in the page');
      }
      const decoded = decodeTensorBundle(await page.server.takeSlot(outputsKey));
      const outputs: Record<string, HostTensor> = {};
      for (const [name, t] of Object.entries(decoded)) outputs[name] = t as unknown as HostTensor;
      return { outputs, runMs: r.runMs };
    },
    async dispose() {
      try {
        await page.call('dispose');
      } catch (e) {
        const c = crashError(e);
        if (c) throw c;
      }
    },
  };
}
