/**
 * onnxruntime-node 1.30 on Linux records telemetry unless ORT_DISABLE_TELEMETRY=1 (or a CI variable
 * such as CI or GITHUB_ACTIONS is set): a process that creates a session leaves
 * /tmp/mat-debug-<pid>.log behind (and writes a SQLite store under ~/.cache/Microsoft/DeveloperTools).
 * crossrt's hosts start with it off unless the user set it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTarget, hostProcessSpec, TargetHost } from '@crossrt/runtime';

const affineRelu = fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url));
const debugLog = (pid: number) => `/tmp/mat-debug-${pid}.log`;

describe('ORT telemetry in hosts', () => {
  it('a plain onnxruntime-node process leaves its telemetry debug log (the default this guards against)', () => {
    const script = `
      const ort = await import('onnxruntime-node');
      const s = await ort.InferenceSession.create(${JSON.stringify(affineRelu)});
      await s.release();
      process.stdout.write(String(process.pid));`;
    // A bare environment: ORT also stays quiet when it sees a CI variable (CI, GITHUB_ACTIONS, TF_BUILD, …).
    const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const pid = Number(r.stdout);
    expect(existsSync(debugLog(pid))).toBe(true);
    rmSync(debugLog(pid), { force: true });
  });

  it('a host runs a model with telemetry off: no debug log for its pid', async () => {
    const host = new TargetHost(findTarget('ort-node:cpu'), { timeoutMs: 20_000 });
    try {
      const { reply } = await host.execute(
        affineRelu,
        [{ x: { dtype: 'float32', dims: [1, 2], data: new Float32Array([1, -2]) } }],
        false,
      );
      expect([...(reply.runs[0]!.outputs['y']!.data as Float32Array)]).toEqual([1, 0]); // Relu(2·1-1), Relu(2·(-2)-1)
      expect(existsSync(debugLog(host.pid!))).toBe(false);
    } finally {
      await host.close();
    }
  });

  it('leaves the switch to the user when they set it', () => {
    const target = findTarget('ort-node:cpu');
    expect(hostProcessSpec(target).envOverrides['ORT_DISABLE_TELEMETRY']).toBe(
      process.env['ORT_DISABLE_TELEMETRY'] === undefined ? '1' : undefined,
    );
    const saved = process.env['ORT_DISABLE_TELEMETRY'];
    process.env['ORT_DISABLE_TELEMETRY'] = '0';
    try {
      expect(hostProcessSpec(target).envOverrides['ORT_DISABLE_TELEMETRY']).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env['ORT_DISABLE_TELEMETRY'];
      else process.env['ORT_DISABLE_TELEMETRY'] = saved;
    }
  });
});
