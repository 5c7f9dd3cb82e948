/**
 * The hosts `crossrt conformance` starts before its command modules load (src/early-hosts.ts) must
 * be the ones its host pool then asks for, or they are never adopted. Checked against the pool that
 * runOracleCases builds (oraclePoolOptions), for the flags that decide them. The model they preload is
 * the run's only case, found as findBackendTestCases finds cases (made in a temp folder here).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oraclePoolOptions, TargetPool } from '@crossrt/harness';
import { parseTargetList } from '@crossrt/runtime';
import { earlyConformanceHosts, onlyCaseModel } from '../src/early-hosts.js';

/** What the pool's prewarm probe asks each target for, given the flags as commander parses them. */
function poolWarmUps(targets: string, hostsPerTarget = 1, placementLog: 'auto' | 'always' = 'auto') {
  const descriptors = parseTargetList(targets);
  const pool = new TargetPool(oraclePoolOptions({ targets: descriptors, hostsPerTarget, placementLog }));
  return descriptors.map((target) => ({ id: target.id, warm: { backend: target.backend, ...pool.loadSettings(target) } }));
}

const sniffed = (argv: string[]) => earlyConformanceHosts(argv).map(({ target, warm }) => ({ id: target.id, warm }));

describe('early conformance hosts', () => {
  it('match the pool for the default targets', () => {
    expect(sniffed(['conformance', '/suite'])).toEqual(poolWarmUps('ort-node:cpu,ort-web:wasm'));
  });

  it('read -t, --targets, --targets= and -t<ids> like commander', () => {
    for (const argv of [['conformance', 'd', '-t', 'ort-web:wasm'], ['conformance', '--targets', 'ort-web:wasm', 'd'], ['conformance', '--targets=ort-web:wasm', 'd'], ['conformance', '-tort-web:wasm', 'd']]) {
      expect(sniffed(argv), argv.join(' ')).toEqual(poolWarmUps('ort-web:wasm'));
    }
  });

  it('follow --hosts-per-target and --placement-log', () => {
    expect(sniffed(['conformance', 'd', '--hosts-per-target', '2', '--placement-log'])).toEqual(poolWarmUps('ort-node:cpu,ort-web:wasm', 2, 'always'));
    expect(sniffed(['conformance', 'd', '--hosts-per-target=3', '-t', 'ort-node:cpu'])).toEqual(poolWarmUps('ort-node:cpu', 3));
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

describe('the model early hosts preload', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'crossrt-early-preload-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const makeCase = (dir: string) => {
    mkdirSync(join(dir, 'test_data_set_0'), { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), '');
  };
  const one = join(tmp, 'one');
  makeCase(join(one, 'test_a'));
  mkdirSync(join(one, 'not_a_case'));
  const two = join(tmp, 'two');
  makeCase(join(two, 'test_a'));
  makeCase(join(two, 'test_b'));

  it('is the only case of the run: a case dir, or a folder holding one case', () => {
    expect(onlyCaseModel([join(one, 'test_a')])).toBe(join(one, 'test_a', 'model.onnx'));
    expect(onlyCaseModel([one])).toBe(join(one, 'test_a', 'model.onnx'));
  });

  it('is none with several cases, none, or a path that is not there', () => {
    expect(onlyCaseModel([two])).toBeUndefined();
    expect(onlyCaseModel([one, join(two, 'test_b')])).toBeUndefined();
    expect(onlyCaseModel([join(one, 'not_a_case')])).toBeUndefined();
    expect(onlyCaseModel([join(tmp, 'missing')])).toBeUndefined();
  });

  it('goes to onnxruntime-node hosts only, with one host per target, past flags and their values', () => {
    const preloads = (argv: string[]) => earlyConformanceHosts(argv).map(({ target, preload }) => [target.id, preload]);
    const model = join(one, 'test_a', 'model.onnx');
    expect(preloads(['conformance', '--json', 'out.json', one, '-q'])).toEqual([['ort-node:cpu', model], ['ort-web:wasm', undefined]]);
    expect(preloads(['conformance', '-j', '4', '--', one])).toEqual([['ort-node:cpu', model], ['ort-web:wasm', undefined]]);
    expect(preloads(['conformance', one, '--hosts-per-target', '2'])).toEqual([['ort-node:cpu', undefined], ['ort-web:wasm', undefined]]);
    expect(preloads(['conformance', two, '-t', 'ort-node:cpu'])).toEqual([['ort-node:cpu', undefined]]);
  });
});
