/**
 * hostWritesDrained on a real child process over Node's IPC channel (advanced serialization, as hosts
 * are forked): a message far larger than the socket buffer is only "written" once the child has read
 * most of it, so a child that keeps its event loop busy holds the drain back. No fixtures.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostWritesDrained, sendToHost } from '../src/host/ipc-writes.js';

const dir = mkdtempSync(join(tmpdir(), 'crossrt-ipc-writes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The child blocks its loop for 400 ms before reading anything, then answers with the bytes it got.
const child = join(dir, 'child.mjs');
writeFileSync(
  child,
  `const end = Date.now() + 400; while (Date.now() < end);
process.on('message', (m) => process.send({ bytes: m.data.byteLength }, () => process.exit(0)));`,
);

describe('hostWritesDrained', () => {
  it('resolves at once when nothing is being written', async () => {
    let resolved = false;
    void hostWritesDrained().then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(true);
  });

  it('waits until a 16 MB request has left, which takes the child reading it', async () => {
    const host = fork(child, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const reply = new Promise<{ bytes: number }>((resolve) => host.once('message', resolve));
    await new Promise((resolve) => host.once('spawn', resolve));
    const t0 = performance.now();
    sendToHost(host, { data: new Float32Array(4 << 20) });
    let drainedAt: number | undefined;
    const drained = hostWritesDrained().then(() => (drainedAt = performance.now() - t0));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(drainedAt, 'drained while the child had read nothing yet').toBeUndefined();
    await drained;
    expect((await reply).bytes).toBe(16 << 20);
    // The child's busy start alone is 400 ms (less the time it took to spawn before we sent).
    expect(drainedAt!).toBeGreaterThan(150);
  });

  it('settles when the child dies with the request half-written', async () => {
    const host = fork(child, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise((resolve) => host.once('spawn', resolve));
    sendToHost(host, { data: new Float32Array(4 << 20) });
    host.kill('SIGKILL');
    await hostWritesDrained();
    if (host.exitCode === null && host.signalCode === null) await new Promise((resolve) => host.once('exit', resolve));
    expect(host.signalCode).toBe('SIGKILL');
  });
});
