import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  BLOCK_LIST_SCHEMA_ID,
  BlockListFileSchema,
  CrossrtError,
  type BlockedNode,
  type BlockListFile,
  type PrecisionPolicy,
} from '@crossrt/core';
import { writeModelFile, type Fp16ConvertResult, type LoadedModel } from '@crossrt/model';

export interface BlockListContent {
  readonly blockList: readonly BlockedNode[];
  readonly keepIoTypes: boolean;
  readonly policy: PrecisionPolicy;
  readonly targets: readonly string[];
}

/**
 * The search's two products: the mixed-precision model (self-contained under 2 GiB, else with its
 * weights in `<model>.data` beside it) and the block-list JSON a suite's precision step reads back.
 */
export async function writePrecisionFiles(
  out: { outModel?: string; outBlockList?: string },
  loaded: LoadedModel,
  mixed: Fp16ConvertResult,
  content: BlockListContent,
): Promise<{ model?: string; blockList?: string } | undefined> {
  if (!out.outModel && !out.outBlockList) return undefined;
  const files: { model?: string; blockList?: string } = {};
  if (out.outModel) {
    const path = resolve(out.outModel);
    await mkdir(dirname(path), { recursive: true });
    writeModelFile(mixed.model, loaded.dir, path);
    files.model = path;
  }
  if (out.outBlockList) {
    const path = resolve(out.outBlockList);
    await mkdir(dirname(path), { recursive: true });
    const file: BlockListFile = {
      schema: BLOCK_LIST_SCHEMA_ID,
      model: loaded.path,
      modelSha256: loaded.sha256,
      keepIoTypes: content.keepIoTypes,
      policy: content.policy,
      targets: [...content.targets],
      nodes: [...content.blockList],
    };
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
    files.blockList = path;
  }
  return files;
}

/** Read a block-list file `crossrt precision` wrote (suites check it against a new search). */
export async function readBlockList(path: string): Promise<BlockListFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new CrossrtError(
      'BLOCK_LIST_INVALID',
      `cannot read block-list ${path}: ${(e as Error).message}`,
      'give a file `crossrt precision --block-list` wrote',
    );
  }
  const parsed = BlockListFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new CrossrtError(
      'BLOCK_LIST_INVALID',
      `${path} is not a crossrt block-list: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      `its "schema" must be "${BLOCK_LIST_SCHEMA_ID}"; write it with \`crossrt precision --block-list\``,
    );
  }
  return parsed.data;
}
