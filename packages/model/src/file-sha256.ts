import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of model files, once per file per process: keyed by path, size, mtime, ctime and inode (any
 * write to the file changes its ctime), so a file read by several steps of one run (dim flags, the case,
 * a localize) is hashed once. Large files are hashed on a worker thread, streamed through a 4 MiB buffer:
 * never a whole-file copy, and the main thread stays free for the hosts' IPC and the comparisons
 * (SHA-256 runs at ~1.2 GB/s here: a 2.1 GB model set is ~1.7 s of CPU).
 */
const cache = new Map<string, { readonly identity: string; readonly sha256: Promise<string> }>();

const CHUNK_BYTES = 4 << 20;

function identityOf(info: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>): string {
  return `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;
}

/** The cached hash of this exact file version, if one is known. */
function cached(path: string, info: Stats): Promise<string> | undefined {
  const hit = cache.get(resolve(path));
  return hit && hit.identity === identityOf(info) ? hit.sha256 : undefined;
}

/** Record a hash computed from bytes already in memory (a file read whole), for later steps. */
export function rememberFileSha256(path: string, info: Stats, sha256: string): void {
  cache.set(resolve(path), { identity: identityOf(info), sha256: Promise.resolve(sha256) });
}

/** SHA-256 (hex) of the file at `path` whose stat is `info`: from the cache, else streamed on the hashing worker. */
export function fileSha256(path: string, info: Stats): Promise<string> {
  const hit = cached(path, info);
  if (hit) return hit;
  const key = resolve(path);
  const sha256 = hashOnWorker(key);
  cache.set(key, { identity: identityOf(info), sha256 });
  sha256.catch(() => cache.delete(key));
  return sha256;
}

/** SHA-256 of a file streamed on this thread through one chunk buffer (for callers that cannot wait). */
export function fileSha256Sync(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let pos = 0, n; (n = readSync(fd, buf, 0, CHUNK_BYTES, pos)) > 0; pos += n) h.update(buf.subarray(0, n));
    return h.digest('hex');
  } finally {
    closeSync(fd);
  }
}

// Source evaluated in the worker (no file to resolve, so it works the same from a bundle). Dynamic
// imports inside an async function parse both as CommonJS and as a module (a worker inherits
// --input-type=module from its parent).
const WORKER_SOURCE = `
(async () => {
  const { parentPort } = await import('node:worker_threads');
  const { createHash } = await import('node:crypto');
  const { openSync, readSync, closeSync } = await import('node:fs');
  const buf = Buffer.allocUnsafe(${CHUNK_BYTES});
  parentPort.on('message', ({ id, path }) => {
    let fd;
    try {
      fd = openSync(path, 'r');
      const h = createHash('sha256');
      for (let pos = 0, n; (n = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n) h.update(buf.subarray(0, n));
      parentPort.postMessage({ id, sha256: h.digest('hex') });
    } catch (e) {
      parentPort.postMessage({ id, error: String((e && e.message) || e) });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  });
})();`;

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (sha256: string) => void; reject: (e: Error) => void }>();

function hashOnWorker(path: string): Promise<string> {
  if (!worker) {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (m: { id: number; sha256?: string; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.sha256) p.resolve(m.sha256);
      else p.reject(new Error(m.error ?? 'hashing failed'));
      // An idle worker must not keep the process alive.
      if (pending.size === 0) w.unref();
    });
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      worker = undefined;
    });
    worker = w;
  }
  const id = nextId++;
  worker.ref();
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage({ id, path });
  });
}
