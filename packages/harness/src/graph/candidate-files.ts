import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel, type LoadedModel, type ModelProto } from '@crossrt/model';

/**
 * Transformed models a search runs (exposed tensors, cut graphs, mixed-precision candidates): written
 * to a private temp folder, or beside the original when it has external data whose relative locations
 * must keep resolving, and removed after their run or at close whatever happened.
 */
export class CandidateFiles {
  private tmp: string | undefined;
  private seq = 0;
  private readonly written: string[] = [];

  constructor(private readonly prefix = 'crossrt-candidate') {}

  async write(proto: ModelProto, origin: Pick<LoadedModel, 'dir' | 'externalData'>): Promise<string> {
    const name = `${this.prefix}-${process.pid}-${++this.seq}.onnx`;
    let path: string;
    if (origin.externalData.length > 0) {
      path = join(origin.dir, `.${name}`);
    } else {
      this.tmp ??= await mkdtemp(join(tmpdir(), `${this.prefix}-`));
      path = join(this.tmp, name);
    }
    await writeFile(path, encodeModel(proto));
    this.written.push(path);
    return path;
  }

  async remove(path: string): Promise<void> {
    const i = this.written.indexOf(path);
    if (i >= 0) this.written.splice(i, 1);
    await unlink(path).catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const p of this.written.splice(0)) await unlink(p).catch(() => undefined);
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
  }
}
