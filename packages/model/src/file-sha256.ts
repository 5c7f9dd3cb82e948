import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of model files, once per file per process: keyed by path, size, mtime, ctime and inode (any
 * write to the file changes its ctime), so a file read by several steps of one run (dim flags, the case,
 * a localize) is hashed once. Large files are hashed on a worker thread, streamed through a 4 MiB buffer:
 * never a whole-file copy, and the main thread stays free for the hosts' IPC and the comparisons
 * (SHA-256 runs at ~1.2 GB/s here: a 2.1 GB model set is ~1.7 s of CPU). Hashes of those large files
 * are also kept on disk (hashCacheFile), so the next run on the same files hashes none of them.
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

/** SHA-256 (hex) of the file at `path` whose stat is `info`: from the caches, else streamed on the hashing worker. */
export function fileSha256(path: string, info: Stats): Promise<string> {
  const hit = cached(path, info);
  if (hit) return hit;
  const key = resolve(path);
  const identity = identityOf(info);
  const stored = diskCache().get(key);
  if (stored?.identity === identity) {
    const sha256 = Promise.resolve(stored.sha256);
    cache.set(key, { identity, sha256 });
    return sha256;
  }
  const sha256 = hashOnWorker(key);
  cache.set(key, { identity, sha256 });
  sha256.then(
    (hex) => storeOnDisk(key, identity, hex),
    () => cache.delete(key),
  );
  return sha256;
}

/**
 * The on-disk hash cache: `$CROSSRT_CACHE_DIR/file-sha256.json` (default `$XDG_CACHE_HOME/crossrt`, else
 * `~/.cache/crossrt`); `CROSSRT_HASH_CACHE=0` turns it off. Read when first needed, not at import.
 */
export function hashCacheFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['CROSSRT_HASH_CACHE'] === '0') return undefined;
  const base = env['CROSSRT_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'crossrt');
  return join(base, 'file-sha256.json');
}

/** Entries kept on disk: the most recently hashed files. */
const DISK_CACHE_ENTRIES = 4096;
type DiskEntries = Map<string, { identity: string; sha256: string }>;
let disk: { file: string | undefined; entries: DiskEntries } | undefined;

function readDiskEntries(file: string | undefined): DiskEntries {
  if (!file) return new Map();
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { identity: string; sha256: string }>;
    return new Map(
      Object.entries(parsed).filter(
        ([, v]) => typeof v?.identity === 'string' && /^[0-9a-f]{64}$/.test(v.sha256 ?? ''),
      ),
    );
  } catch {
    return new Map(); // none yet, or unreadable: hash again
  }
}

function diskCache(): DiskEntries {
  const file = hashCacheFile();
  if (!disk || disk.file !== file) disk = { file, entries: readDiskEntries(file) };
  return disk.entries;
}

function storeOnDisk(path: string, identity: string, sha256: string): void {
  const file = hashCacheFile();
  if (!file) return;
  try {
    // Merged with what other processes wrote meanwhile; written whole and renamed into place.
    const entries = readDiskEntries(file);
    entries.delete(path);
    entries.set(path, { identity, sha256 });
    const kept = [...entries].slice(-DISK_CACHE_ENTRIES);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(kept)));
    renameSync(tmp, file);
    disk = { file, entries: new Map(kept) };
  } catch {
    // a read-only home: the in-process cache still holds it
  }
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
