import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CrossrtError } from '@crossrt/core/base';
import { WebSocketChannel } from './websocket-channel.js';

/**
 * Headers every response carries: COOP/COEP make the page cross-origin isolated, which
 * SharedArrayBuffer (WASM threads) requires; no caching so a rebuilt runner is always picked up.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/** Above this, Node → page payloads go over HTTP GET (measured: 4.7 MB fetch ~45 ms, WebSocket ~100 ms). */
export const CHANNEL_PUSH_MAX_BYTES = 256 * 1024;

const INDEX_HTML =
  '<!doctype html><meta charset="utf-8"><title>crossrt</title><script type="module" src="/crossrt/page-bridge.mjs"></script>';

/**
 * Static server for the page, bound to 127.0.0.1 on a free port and nothing else. It serves only the
 * directories mounted (URL prefix → directory), files registered one by one (models), and the binary
 * exchange slots tensors travel through. Loopback is a secure context, so WebGPU is exposed.
 */
export class LoopbackServer {
  private readonly server: Server;
  private readonly mounts: [string, string][];
  private readonly files = new Map<string, string>();
  /** Binary slots: Node puts feeds, the page PUTs outputs; each slot is read once. */
  private readonly slots = new Map<string, Uint8Array>();
  private readonly waiters = new Map<string, (b: Uint8Array) => void>();
  /** The page's WebSocket (`/channel`); while open, slots travel over it instead of HTTP. */
  private channel: WebSocketChannel | undefined;
  /** The page's held `GET /mailbox`, answered with the next call posted to the page. */
  private mailbox: ServerResponse | undefined;
  private readonly posted: { readonly call: string; readonly bytes: Uint8Array }[] = [];

  private constructor(mounts: Readonly<Record<string, string>>) {
    this.mounts = Object.entries(mounts).map(([prefix, dir]) => [
      prefix.endsWith('/') ? prefix : `${prefix}/`,
      resolve(dir),
    ]);
    this.server = createServer(
      (req, res) => void this.handle(req, res).catch((e: unknown) => this.fail(res, 500, (e as Error).message)),
    );
    this.server.on('upgrade', (req: IncomingMessage, socket) => {
      if (new URL(req.url ?? '/', this.origin).pathname !== '/channel') {
        socket.destroy();
        return;
      }
      this.channel?.close();
      this.channel = WebSocketChannel.accept(req, socket, (message) => this.onChannelMessage(message));
    });
  }

  static async start(mounts: Readonly<Record<string, string>>): Promise<LoopbackServer> {
    const s = new LoopbackServer(mounts);
    await new Promise<void>((ok, fail) => {
      s.server.once('error', fail);
      s.server.listen(0, '127.0.0.1', () => ok());
    });
    return s;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Serve one file at `/files/<key>` (a model) without exposing its directory. */
  registerFile(key: string, path: string): string {
    this.files.set(key, path);
    return `/files/${encodeURIComponent(key)}`;
  }

  unregisterFile(key: string): void {
    this.files.delete(key);
  }

  /**
   * Offer bytes to the page under `key`. Small payloads are pushed over the channel (no HTTP request
   * per tensor); large ones are kept for a GET, which Chromium receives faster than a big WebSocket
   * frame, and the channel only carries an empty "fetch it" notice.
   */
  putSlot(key: string, bytes: Uint8Array): void {
    if (this.channel?.open && bytes.byteLength > 0 && bytes.byteLength <= CHANNEL_PUSH_MAX_BYTES) {
      this.channel.sendBinary(slotPrefix(key), bytes);
      return;
    }
    this.slots.set(key, bytes);
    if (this.channel?.open) this.channel.sendBinary(slotPrefix(key));
  }

  private onChannelMessage(message: Uint8Array): void {
    const keyLength = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint16(0, true);
    const key = new TextDecoder().decode(message.subarray(2, 2 + keyLength)).trimEnd();
    this.deliver(key, message.subarray(2 + keyLength));
  }

  private deliver(key: string, bytes: Uint8Array): void {
    const waiter = this.waiters.get(key);
    if (waiter) {
      this.waiters.delete(key);
      waiter(bytes);
    } else this.slots.set(key, bytes);
  }

  /** The bytes the page PUT into `key` (already there, or when they arrive). */
  takeSlot(key: string): Promise<Uint8Array> {
    const ready = this.slots.get(key);
    if (ready) {
      this.slots.delete(key);
      return Promise.resolve(ready);
    }
    return new Promise((r) => this.waiters.set(key, r));
  }

  /**
   * Hand a call and its bytes to the page without a DevTools round trip: the page keeps one
   * `GET /mailbox` open, and the answer to it carries the call (header) and the bytes (body). The
   * bytes leave as soon as they are posted, at the speed of a plain fetch, with no request latency.
   */
  postToPage(call: unknown, bytes: Uint8Array): void {
    this.posted.push({ call: encodeURIComponent(JSON.stringify(call)), bytes });
    this.flushMailbox();
  }

  private flushMailbox(): void {
    const res = this.mailbox;
    const next = this.posted[0];
    if (!res || !next) return;
    this.posted.shift();
    this.mailbox = undefined;
    res.writeHead(200, {
      ...ISOLATION_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': next.bytes.byteLength,
      'X-Crossrt-Call': next.call,
    });
    res.end(next.bytes);
  }

  dropSlot(key: string): void {
    this.slots.delete(key);
    this.waiters.delete(key);
  }

  async close(): Promise<void> {
    this.channel?.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const path = decodeURIComponent(url.pathname);
    if (path === '/' || path === '/index.html') return this.send(res, 200, INDEX_HTML, CONTENT_TYPES['.html']!);
    if (path.startsWith('/exchange/')) return this.exchange(req, res, path.slice('/exchange/'.length));
    if (path === '/mailbox') {
      // One held request at a time: a reloaded document's request replaces the old one's.
      this.mailbox?.destroy();
      this.mailbox = res;
      res.on('close', () => {
        if (this.mailbox === res) this.mailbox = undefined;
      });
      return this.flushMailbox();
    }
    if (path.startsWith('/files/')) {
      const file = this.files.get(path.slice('/files/'.length));
      return file ? this.sendFile(res, file) : this.fail(res, 404, 'not registered');
    }
    for (const [prefix, dir] of this.mounts) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (file !== dir && !file.startsWith(dir + sep)) return this.fail(res, 403, 'outside the mount');
      return this.sendFile(res, file);
    }
    return this.fail(res, 404, 'not found');
  }

  private async exchange(req: IncomingMessage, res: ServerResponse, key: string): Promise<void> {
    if (req.method === 'GET') {
      const bytes = this.slots.get(key);
      if (!bytes) return this.fail(res, 404, 'no such slot');
      this.slots.delete(key);
      res.writeHead(200, {
        ...ISOLATION_HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Length': bytes.byteLength,
      });
      res.end(bytes);
      return;
    }
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      this.deliver(key, new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
      return this.send(res, 204, '', 'text/plain');
    }
    return this.fail(res, 405, 'method not allowed');
  }

  private async sendFile(res: ServerResponse, file: string): Promise<void> {
    let size: number;
    try {
      const st = await stat(file);
      if (!st.isFile()) return this.fail(res, 404, 'not a file');
      size = st.size;
    } catch {
      return this.fail(res, 404, 'not found');
    }
    res.writeHead(200, {
      ...ISOLATION_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
    });
    createReadStream(file).pipe(res);
  }

  private send(res: ServerResponse, status: number, body: string, type: string): void {
    res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type });
    res.end(body);
  }

  private fail(res: ServerResponse, status: number, why: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.send(res, status, why, 'text/plain');
  }
}

/**
 * Channel message prefix: u16 LE key length, then the key (UTF-8, space-padded so the payload starts
 * 8-aligned and typed-array views need no copy); the payload follows.
 */
export function slotPrefix(key: string): Uint8Array {
  const raw = new TextEncoder().encode(key);
  const k = new Uint8Array(((2 + raw.length + 7) & ~7) - 2).fill(0x20);
  k.set(raw);
  const out = new Uint8Array(2 + k.length);
  new DataView(out.buffer).setUint16(0, k.length, true);
  out.set(k, 2);
  return out;
}

export function serverStartError(e: unknown): CrossrtError {
  return new CrossrtError(
    'HOST_FAILED',
    `cannot start the loopback server: ${(e as Error).message}`,
    'crossrt binds 127.0.0.1 on a free port; check that loopback networking works',
  );
}
