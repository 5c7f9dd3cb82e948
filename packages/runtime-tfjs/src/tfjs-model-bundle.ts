import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTfjsModelArtifacts } from '@crossrt/model';

/**
 * A TF.js model as one file for the page: u32 LE length | model.json bytes | weight shards
 * concatenated in manifest order. The browser host serves one file per model; the page runner
 * (page/tfjs-page-runner.mjs) splits it and loads through tf.io.fromMemory: no URL guessing, no fetch
 * of shards by relative path.
 */
export function encodeModelBundle(modelJsonText: string, weightData: ArrayBuffer): Uint8Array {
  const json = new TextEncoder().encode(modelJsonText);
  const out = new Uint8Array(4 + json.length + weightData.byteLength);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(new Uint8Array(weightData), 4 + json.length);
  return out;
}

/** Write the bundle of `modelJsonPath` to a private temp folder; `remove` deletes it. */
export async function writeModelBundle(modelJsonPath: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const a = await readTfjsModelArtifacts(modelJsonPath);
  const dir = await mkdtemp(join(tmpdir(), 'crossrt-tfjs-bundle-'));
  const path = join(dir, 'model.bundle');
  await writeFile(path, encodeModelBundle(JSON.stringify(a.json), a.weightData));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
