import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CrossrtError, firstSchemaIssue, FormatPairConfigSchema, type TensorMappingConfig } from '@crossrt/core';
import type { TargetDescriptor } from '@crossrt/runtime';
import type { PairSide } from './tensor-mapping.js';

/** One ONNX artifact and one TF.js artifact of the same logical model, with optional mapping config. */
export interface FormatPair {
  readonly name: string;
  readonly onnxPath: string;
  readonly tfjsPath: string;
  readonly inputs?: readonly TensorMappingConfig[];
  readonly outputs?: readonly TensorMappingConfig[];
  /** Folder the artifact labels in the report are relative to. */
  readonly baseDir: string;
}

export const PAIR_CONFIG_FILE = 'crossrt-pair.json';

/** Read `crossrt-pair.json` (or a folder holding one); artifact paths resolve against its folder. */
export async function loadFormatPair(path: string): Promise<FormatPair> {
  let file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (!info)
    throw new CrossrtError(
      'FILE_NOT_FOUND',
      `pair config not found: ${path}`,
      `pass a folder holding ${PAIR_CONFIG_FILE}, the file itself, or --onnx and --tfjs`,
    );
  if (info.isDirectory()) file = join(file, PAIR_CONFIG_FILE);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CrossrtError(
      'FILE_NOT_FOUND',
      `${file} not found`,
      `write a ${PAIR_CONFIG_FILE} ({ "onnx": "model.onnx", "tfjs": "tfjs/model.json" }) or pass --onnx and --tfjs`,
    );
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CrossrtError(
      'PAIR_CONFIG_INVALID',
      `${file} is not JSON: ${(e as Error).message.replace(/[^\x20-\x7e]/g, '?')}`,
      /\.onnx$/i.test(file)
        ? 'pass model files with --onnx and --tfjs; the positional argument is a crossrt-pair.json or its folder'
        : `a ${PAIR_CONFIG_FILE} is JSON: { "onnx": "model.onnx", "tfjs": "tfjs/model.json" }`,
    );
  }
  const parsed = FormatPairConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CrossrtError(
      'PAIR_CONFIG_INVALID',
      `${file}: ${firstSchemaIssue(parsed.error)}`,
      'fields: name, onnx, tfjs, inputs[], outputs[] ({ onnx, tfjs, perm? })',
    );
  }
  const dir = dirname(file);
  const c = parsed.data;
  return {
    name: c.name ?? basename(dir),
    onnxPath: resolve(dir, c.onnx),
    tfjsPath: resolve(dir, c.tfjs),
    baseDir: dir,
    ...(c.inputs ? { inputs: c.inputs } : {}),
    ...(c.outputs ? { outputs: c.outputs } : {}),
  };
}

export function targetFormat(t: TargetDescriptor): PairSide {
  return t.runtime === 'tfjs' || t.runtime.startsWith('tfjs-') ? 'tfjs' : 'onnx';
}
