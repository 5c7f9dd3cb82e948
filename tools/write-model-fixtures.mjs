/** Shared by the fixture generators: write each `{ file: ModelProto }` entry into `root`, encoded. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeModel } from '@crossrt/model';

export async function writeModelFixtures(root, fixtures) {
  await mkdir(root, { recursive: true });
  for (const [file, model] of Object.entries(fixtures)) {
    const path = join(root, file);
    await writeFile(path, encodeModel(model));
    console.log(`wrote ${path}`);
  }
}
