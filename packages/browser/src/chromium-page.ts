import { packageFile } from '@crossrt/core/base';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LoopbackServer } from './loopback-server.js';

const PAGE_DONE_MARKER = '\u0001crossrt-page-done:';
/** Console lines of a call can trail its result by a few ms; wait this long at most for the marker. */
const MARKER_GRACE_MS = 2000;

/** The browser package's page-side files (bridge, tensor wire format), served at /crossrt/. */
export const PAGE_DIR = packageFile('@crossrt/browser', 'page');

export interface ChromiumPageOptions {
  readonly executablePath: string;
  readonly args: readonly string[];
  /** URL prefix → directory, served to the page (a runtime's bundle, its page-side runner). */
  readonly mounts: Readonly<Record<string, string>>;
  /** Every console line the page prints, as it arrives. */
  readonly onConsole: (line: string) => void;
}

/** The engine died under a call: the page crashed or the browser went away. */
export class PageCrashError extends Error {}

/**
 * One headless Chromium with one page, reused across cases. Calls go to the page bridge
 * (`window.crossrt`) and resolve once their result and all their console lines are in.
 */
export class ChromiumPage {
  private nextCall = 1;
  private crashed: string | undefined;
  private readonly crashWaiters = new Set<(why: string) => void>();
  private readonly markerWaiters = new Map<number, () => void>();

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    readonly server: LoopbackServer,
    readonly info: PageInfo,
  ) {}

  static async open(options: ChromiumPageOptions): Promise<ChromiumPage> {
    const server = await LoopbackServer.start({ ...options.mounts, '/crossrt/': PAGE_DIR });
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: options.executablePath,
        args: [...options.args],
        headless: true,
        timeout: 30_000,
      });
      const page = await browser.newPage();
      const holder: { self?: ChromiumPage } = {};
      page.on('console', (m) => {
        const text = m.text();
        if (text.startsWith(PAGE_DONE_MARKER)) {
          holder.self?.markerSeen(Number(text.slice(PAGE_DONE_MARKER.length)));
          return;
        }
        for (const line of text.split('\n')) options.onConsole(line);
      });
      page.on('pageerror', (e) => options.onConsole(`pageerror: ${e.message}`));
      await page.goto(`${server.origin}/`, { waitUntil: 'load' });
      await page.waitForFunction(() => 'crossrt' in globalThis, undefined, { timeout: 10_000 });
      const info = await page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        return {
          userAgent: g.navigator.userAgent,
          crossOriginIsolated: g.crossOriginIsolated === true,
          hardwareConcurrency: g.navigator.hardwareConcurrency,
        };
      });
      const self = new ChromiumPage(browser, page, server, { ...info, browserVersion: browser.version() });
      holder.self = self;
      page.on('crash', () =>
        self.markCrashed('the Chromium renderer crashed (page "crash" event: out of memory or a native fault)'),
      );
      browser.on('disconnected', () => self.markCrashed('the Chromium browser process exited'));
      return self;
    } catch (e) {
      await browser?.close().catch(() => undefined);
      await server.close();
      throw e;
    }
  }

  get alive(): boolean {
    return this.crashed === undefined;
  }

  /**
   * Call `window.crossrt[verb](callId, ...args)` in the page. Resolves with the call's JSON result
   * after the call's console lines have all been delivered; rejects with PageCrashError if the page
   * or browser dies meanwhile.
   */
  async call<T>(verb: string, ...args: unknown[]): Promise<T> {
    const { callId, marker, crash, done } = this.beginCall();
    try {
      const result = (await Promise.race([
        this.page.evaluate(([v, id, rest]) => (globalThis as unknown as PageGlobals).crossrt[v]!(id, ...rest), [
          verb,
          callId,
          args,
        ] as const),
        crash,
      ])) as T;
      await this.consoleDelivered(marker, crash);
      return result;
    } catch (e) {
      if (this.crashed) throw new PageCrashError(this.crashed);
      throw e;
    } finally {
      done();
    }
  }

  /**
   * One call's bookkeeping: its id, the promise of its console marker, a promise that rejects if the
   * page dies meanwhile, and `done` to forget both.
   */
  private beginCall(): { callId: number; marker: Promise<void>; crash: Promise<never>; done: () => void } {
    if (this.crashed) throw new PageCrashError(this.crashed);
    const callId = this.nextCall++;
    const marker = new Promise<void>((r) => this.markerWaiters.set(callId, r));
    let onCrash: ((why: string) => void) | undefined;
    const crash = new Promise<never>((_, reject) => {
      onCrash = (why) => reject(new PageCrashError(why));
      this.crashWaiters.add(onCrash);
    });
    const done = () => {
      this.markerWaiters.delete(callId);
      if (onCrash) this.crashWaiters.delete(onCrash);
    };
    return { callId, marker, crash, done };
  }

  /** Wait (at most MARKER_GRACE_MS) until the call's console lines have all been delivered. */
  private async consoleDelivered(marker: Promise<void>, crash: Promise<never>): Promise<void> {
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      marker,
      new Promise((r) => {
        grace = setTimeout(r, MARKER_GRACE_MS);
      }),
      crash,
    ]);
    clearTimeout(grace);
  }

  /**
   * Like call(), but without a DevTools round trip: the call and `bytes` go to the page in the answer
   * to its held mailbox request (LoopbackServer.postToPage), and the JSON result comes back over the
   * channel. The page finds `bytes` as the slot `bytesKey`. Console lines are waited for only when
   * the result says `ok: false` (a failure's log tail goes into the report; a success's lines do not).
   */
  async post<T extends { readonly ok: boolean }>(
    verb: string,
    args: readonly unknown[],
    bytesKey: string,
    bytes: Uint8Array,
  ): Promise<T> {
    const { callId, marker, crash, done } = this.beginCall();
    const replyKey = `reply-${callId}`;
    try {
      this.server.postToPage({ callId, verb, args, bytesKey, replyKey }, bytes);
      const reply = await Promise.race([this.server.takeSlot(replyKey), crash]);
      const result = JSON.parse(new TextDecoder().decode(reply)) as T;
      if (!result.ok) await this.consoleDelivered(marker, crash);
      return result;
    } finally {
      this.server.dropSlot(replyKey);
      done();
    }
  }

  /**
   * A fresh document in the same browser: drops every runtime instance the page held. Used after a
   * failed load/run, because an engine can be left inconsistent by an error (onnxruntime-web's WebGPU
   * backend answers every later run with 'kernel "[X]" is not allowed to be called recursively').
   */
  async reload(): Promise<void> {
    if (this.crashed) throw new PageCrashError(this.crashed);
    await this.page.reload({ waitUntil: 'load' });
    await this.page.waitForFunction(() => 'crossrt' in globalThis, undefined, { timeout: 10_000 });
  }

  async close(): Promise<void> {
    this.crashed ??= 'closed';
    await this.browser.close().catch(() => undefined);
    await this.server.close();
  }

  private markerSeen(callId: number): void {
    this.markerWaiters.get(callId)?.();
  }

  private markCrashed(why: string): void {
    if (this.crashed) return;
    this.crashed = why;
    for (const w of this.crashWaiters) w(why);
  }
}

export interface PageInfo {
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  readonly browserVersion: string;
}

/** What the page's global scope offers (the package compiles without DOM types). */
interface PageGlobals {
  readonly navigator: { readonly userAgent: string; readonly hardwareConcurrency: number };
  readonly crossOriginIsolated?: boolean;
  readonly crossrt: Record<string, (...args: unknown[]) => unknown>;
}
