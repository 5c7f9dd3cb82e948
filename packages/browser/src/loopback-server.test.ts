import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackServer } from './loopback-server.js';

describe('LoopbackServer', () => {
  let server: LoopbackServer;
  const dir = mkdtempSync(join(tmpdir(), 'crossrt-server-'));
  const secret = mkdtempSync(join(tmpdir(), 'crossrt-secret-'));
  beforeAll(async () => {
    writeFileSync(join(dir, 'a.mjs'), 'export const a = 1;');
    writeFileSync(join(secret, 'model.onnx'), 'model-bytes');
    server = await LoopbackServer.start({ '/m/': dir });
  });
  afterAll(() => server.close());

  it('binds 127.0.0.1 only and sends the cross-origin isolation headers', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.origin}/m/a.mjs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('content-type')).toBe('text/javascript');
  });

  it('serves registered files by key only, and nothing outside the mounts', async () => {
    expect((await fetch(`${server.origin}/m/..%2F${secret.split('/').pop()}%2Fmodel.onnx`)).status).toBe(403);
    expect((await fetch(`${server.origin}/files/m1`)).status).toBe(404);
    const url = server.registerFile('m1', join(secret, 'model.onnx'));
    expect(await (await fetch(`${server.origin}${url}`)).text()).toBe('model-bytes');
    server.unregisterFile('m1');
    expect((await fetch(`${server.origin}${url}`)).status).toBe(404);
  });

  it('moves binary slots both ways, each read once', async () => {
    server.putSlot('in', new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(await (await fetch(`${server.origin}/exchange/in`)).arrayBuffer())).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect((await fetch(`${server.origin}/exchange/in`)).status).toBe(404);
    const waiting = server.takeSlot('out');
    expect((await fetch(`${server.origin}/exchange/out`, { method: 'PUT', body: new Uint8Array([9, 8]) })).status).toBe(
      204,
    );
    expect([...(await waiting)]).toEqual([9, 8]);
  });
});
