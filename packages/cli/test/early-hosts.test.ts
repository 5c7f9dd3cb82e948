/**
 * The hosts `crossrt conformance` starts before its command modules load (src/early-hosts.ts) must
 * be the ones its host pool then asks for, or they are never adopted. Checked against the pool that
 * runOracleCases builds (oraclePoolOptions), for the flags that decide them.
 */
import { describe, expect, it } from 'vitest';
import { oraclePoolOptions, TargetPool } from '@crossrt/harness';
import { parseTargetList } from '@crossrt/runtime';
import { earlyConformanceHosts } from '../src/early-hosts.js';

/** What the pool's prewarm probe asks each target for, given the flags as commander parses them. */
function poolWarmUps(targets: string, hostsPerTarget = 1, placementLog: 'auto' | 'always' = 'auto') {
  const descriptors = parseTargetList(targets);
  const pool = new TargetPool(oraclePoolOptions({ targets: descriptors, hostsPerTarget, placementLog }));
  return descriptors.map((target) => ({
    id: target.id,
    warm: { backend: target.backend, ...pool.loadSettings(target) },
  }));
}

const sniffed = (argv: string[]) => earlyConformanceHosts(argv).map(({ target, warm }) => ({ id: target.id, warm }));

describe('early conformance hosts', () => {
  it('match the pool for the default targets', () => {
    expect(sniffed(['conformance', '/suite'])).toEqual(poolWarmUps('ort-node:cpu,ort-web:wasm'));
  });

  it('read -t, --targets, --targets= and -t<ids> like commander', () => {
    for (const argv of [
      ['conformance', 'd', '-t', 'ort-web:wasm'],
      ['conformance', '--targets', 'ort-web:wasm', 'd'],
      ['conformance', '--targets=ort-web:wasm', 'd'],
      ['conformance', '-tort-web:wasm', 'd'],
    ]) {
      expect(sniffed(argv), argv.join(' ')).toEqual(poolWarmUps('ort-web:wasm'));
    }
  });

  it('follow --hosts-per-target and --placement-log', () => {
    expect(sniffed(['conformance', 'd', '--hosts-per-target', '2', '--placement-log'])).toEqual(
      poolWarmUps('ort-node:cpu,ort-web:wasm', 2, 'always'),
    );
    expect(sniffed(['conformance', 'd', '--hosts-per-target=3', '-t', 'ort-node:cpu'])).toEqual(
      poolWarmUps('ort-node:cpu', 3),
    );
  });

  it('start nothing for other commands, help, or flags the real parse will reject', () => {
    expect(sniffed(['run', 'model.onnx'])).toEqual([]);
    expect(sniffed(['conformance', '--help'])).toEqual([]);
    expect(sniffed(['conformance', 'd', '-t', 'no-such:target'])).toEqual([]);
    expect(sniffed(['conformance', 'd', '--hosts-per-target', '0'])).toEqual([]);
  });

  it('stop reading flags at --', () => {
    expect(sniffed(['conformance', '--', '-t', 'ort-web:wasm'])).toEqual(poolWarmUps('ort-node:cpu,ort-web:wasm'));
  });
});
