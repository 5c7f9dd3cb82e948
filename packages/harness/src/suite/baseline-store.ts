import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  BASELINE_SCHEMA_ID,
  BaselineIndexSchema,
  CrossrtError,
  type BaselineEntry,
  type BaselineIndex,
  type CaseResult,
  type HostTensor,
} from '@crossrt/core';
import { decodeTensorFile, encodeTensorFile } from '@crossrt/model';

/**
 * Golden outputs on disk: `baseline.json` (the index) + `tensors/<sha256>.pb.gz` (one gzipped ONNX
 * TensorProto per distinct output, content-addressed so identical outputs are stored once).
 * Entries are found by (case id, target); model hash, input hash and runtime version are stored with
 * them so a replay can tell "the converter changed the model" (compare, note it) and "the runtime was
 * upgraded" (compare, note it) from "the inputs changed" (not comparable).
 */
export class BaselineStore {
  private readonly entries = new Map<string, BaselineEntry>();
  private createdAt = new Date().toISOString();

  private constructor(readonly dir: string) {}

  static open(dir: string, mustExist: boolean): BaselineStore {
    const store = new BaselineStore(dir);
    const indexPath = join(dir, 'baseline.json');
    if (!existsSync(indexPath)) {
      if (mustExist)
        throw new CrossrtError(
          'BASELINE_INVALID',
          `no baseline at ${dir} (baseline.json missing)`,
          'create one with --save-baseline <dir>',
        );
      return store;
    }
    const parsed = BaselineIndexSchema.safeParse(safeJson(indexPath));
    if (!parsed.success)
      throw new CrossrtError(
        'BASELINE_INVALID',
        `${indexPath} is not a crossrt baseline index: ${parsed.error.issues[0]?.message}`,
        're-create it with --save-baseline',
      );
    store.createdAt = parsed.data.createdAt;
    for (const e of parsed.data.entries) store.entries.set(key(e.caseId, e.target), e);
    return store;
  }

  get created(): string {
    return this.createdAt;
  }

  get(caseId: string, target: string): BaselineEntry | undefined {
    return this.entries.get(key(caseId, target));
  }

  all(): BaselineEntry[] {
    return [...this.entries.values()];
  }

  readOutput(entry: BaselineEntry, name: string): HostTensor | undefined {
    const o = entry.outputs.find((x) => x.name === name);
    if (!o) return undefined;
    const path = join(this.dir, o.file);
    try {
      return decodeTensorFile(gunzipSync(readFileSync(path)), path).tensor;
    } catch (e) {
      throw new CrossrtError(
        'BASELINE_INVALID',
        `golden tensor ${path} is missing or corrupt: ${(e as Error).message}`,
        're-create the baseline with --save-baseline',
      );
    }
  }

  /** Record one case's outputs per target (replacing older entries for the same case and target). */
  put(result: CaseResult, outputs: ReadonlyMap<string, ReadonlyMap<string, HostTensor>>): void {
    if (!result.model) return;
    mkdirSync(join(this.dir, 'tensors'), { recursive: true });
    for (const outcome of result.outcomes) {
      const tensors = outputs.get(outcome.target) ?? new Map<string, HostTensor>();
      const stored = [...tensors].map(([name, t]) => {
        const bytes = encodeTensorFile(t, name);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const file = `tensors/${sha256}.pb.gz`;
        if (!existsSync(join(this.dir, file))) writeFileSync(join(this.dir, file), gzipSync(bytes, { level: 6 }));
        return { name, dtype: t.dtype, dims: [...t.dims], sha256, file };
      });
      this.entries.set(key(result.id, outcome.target), {
        caseId: result.id,
        target: outcome.target,
        modelSha256: result.model.sha256,
        inputSha256: inputSha256(result),
        runtimeVersion: outcome.device?.runtimeVersion ?? 'unknown',
        passed: targetPassed(result, outcome.target),
        status: outcome.status,
        outputs: stored,
      });
    }
  }

  save(): void {
    mkdirSync(this.dir, { recursive: true });
    const index: BaselineIndex = {
      schema: BASELINE_SCHEMA_ID,
      version: 1,
      createdAt: this.createdAt,
      entries: this.all().sort((a, b) => key(a.caseId, a.target).localeCompare(key(b.caseId, b.target))),
    };
    const path = join(this.dir, 'baseline.json');
    writeFileSync(`${path}.tmp`, `${JSON.stringify(index, null, 1)}\n`);
    renameSync(`${path}.tmp`, path);
  }
}

const key = (caseId: string, target: string) => `${caseId}\u0000${target}`;

function safeJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CrossrtError('BASELINE_INVALID', `${path} is not JSON: ${(e as Error).message}`);
  }
}

/** One hash over a case's inputs (name, dtype, dims and bytes of each). */
export function inputSha256(result: CaseResult): string {
  const h = createHash('sha256');
  for (const i of [...result.inputs].sort((a, b) => a.name.localeCompare(b.name))) h.update(`${i.name}:${i.sha256};`);
  return h.digest('hex');
}

/** A target "passed" a case when it ran and all its comparisons passed (the reference: when it ran). */
export function targetPassed(result: CaseResult, target: string): boolean {
  const outcome = result.outcomes.find((o) => o.target === target);
  return (
    outcome?.status === 'ok' && result.comparisons.filter((c) => c.target === target).every((c) => c.verdict === 'pass')
  );
}
