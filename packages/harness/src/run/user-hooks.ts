import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  allocate,
  CrossrtError,
  dtypeStorage,
  elementCount,
  isDType,
  type Comparison,
  type DType,
  type HostTensor,
  type Verdict,
} from '@crossrt/core';
import type { ValueSignature } from '@crossrt/model';

/**
 * User hooks, Polygraphy style (`--data-loader-script`, `--compare-func-script`): plain ES modules
 * the user writes, loaded by path. A data loader yields the input sets (real images, real audio read
 * by the user's code); a compare hook judges one output pair. What they return is checked like any
 * other input, and a hook that throws is the case's typed error, never a crash of the run.
 */

/** What a data loader is handed: the model's inputs (dims as declared; strings are symbolic) and the seed. */
export interface DataLoaderContext {
  readonly inputs: readonly {
    readonly name: string;
    readonly dtype?: string;
    readonly dims?: readonly (number | string | null)[];
  }[];
  readonly seed: number;
  readonly model: string;
}

/** One tensor as a hook writes it: `data` a typed array or a plain array, `dtype` defaulting to the input's. */
interface TensorLike {
  readonly dtype?: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint | string>;
}

export interface DataLoaderHook {
  readonly path: string;
  readonly label: string;
  /** Every input set the module yields, each a map of the inputs it names. */
  sets(ctx: DataLoaderContext, inputs: readonly ValueSignature[]): Promise<Map<string, HostTensor>[]>;
}

export interface ComparePair {
  readonly output: string;
  readonly target: string;
  readonly reference: string;
  readonly actual: HostTensor;
  readonly expected: HostTensor;
  /** The built-in comparison (metrics, tolerance, verdict, reason), for hooks that refine it. */
  readonly builtin: Comparison;
}

export interface CompareHook {
  readonly path: string;
  readonly label: string;
  judge(pair: ComparePair): Promise<Comparison>;
}

async function importHook(
  path: string,
  what: string,
  names: readonly string[],
): Promise<{ fn: (...args: never[]) => unknown; file: string }> {
  const file = resolve(path);
  if (!existsSync(file))
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${what} module ${path} does not exist`,
      'give the path of an .mjs (or .js ES module) file',
    );
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new CrossrtError(
      'USER_HOOK_FAILED',
      `importing ${what} module ${path} failed: ${(e as Error).message.split('\n')[0]}`,
      'run it with `node` to see the error',
    );
  }
  const name = names.find((n) => typeof mod[n] === 'function');
  if (!name)
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${what} module ${path} exports no function (${names.map((n) => (n === 'default' ? 'export default' : `export ${n}`)).join(' or ')})`,
      'export the function crossrt should call',
    );
  return { fn: mod[name] as (...args: never[]) => unknown, file };
}

export async function loadDataLoader(path: string): Promise<DataLoaderHook> {
  const { fn, file } = await importHook(path, '--data-loader', ['default', 'loadInputs']);
  const label = `data-loader:${basename(file)}`;
  return {
    path: file,
    label,
    async sets(ctx, inputs) {
      let produced: unknown;
      const collected: unknown[] = [];
      try {
        produced = await (fn as (c: DataLoaderContext) => unknown)(ctx);
        // An array, an iterable or an async iterable (an async generator reading files one by one).
        if (produced && typeof (produced as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
          for await (const s of produced as AsyncIterable<unknown>) collected.push(s);
        else if (produced && typeof (produced as Iterable<unknown>)[Symbol.iterator] === 'function')
          collected.push(...(produced as Iterable<unknown>));
        else if (produced && typeof produced === 'object') collected.push(produced);
      } catch (e) {
        throw new CrossrtError(
          'USER_HOOK_FAILED',
          `${label} threw: ${(e as Error)?.message ?? String(e)}`,
          'fix the loader; run it with `node` on its own to debug',
        );
      }
      if (collected.length === 0)
        throw new CrossrtError(
          'USER_HOOK_INVALID',
          `${label} yielded no input set`,
          'return an array of {input name: {dims, data}} objects, or yield them',
        );
      return collected.map((set, k) => checkSet(set, k, inputs, label));
    },
  };
}

function checkSet(set: unknown, k: number, inputs: readonly ValueSignature[], label: string): Map<string, HostTensor> {
  if (!set || typeof set !== 'object')
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${label}: set ${k} is ${typeof set}, not an object of input tensors`,
      'yield {input name: {dims, data}}',
    );
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const out = new Map<string, HostTensor>();
  for (const [name, value] of Object.entries(set as Record<string, unknown>)) {
    const input = byName.get(name);
    if (!input)
      throw new CrossrtError(
        'USER_HOOK_INVALID',
        `${label}: set ${k} names "${name}", which is not a model input`,
        `model inputs: ${inputs.map((i) => i.name).join(', ')}`,
      );
    out.set(name, toTensor(value as TensorLike, input, `${label}: set ${k} input "${name}"`));
  }
  return out;
}

function toTensor(v: TensorLike, input: ValueSignature, where: string): HostTensor {
  if (
    !v ||
    !Array.isArray(v.dims) ||
    !v.dims.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    !v.data ||
    typeof v.data.length !== 'number'
  ) {
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${where} is not {dims: number[], data: array}`,
      'e.g. { dims: [1, 512], data: new Float32Array(512) }',
    );
  }
  const dtype = (v.dtype ?? input.dtype) as DType | undefined;
  if (!dtype || !isDType(dtype))
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${where} has dtype ${String(v.dtype)}, not a crossrt dtype`,
      'use an ONNX Runtime type name: float32, int64, bool, …',
    );
  if (input.dtype && dtype !== input.dtype)
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${where} is ${dtype}, the model declares ${input.dtype}`,
      `convert it to ${input.dtype}`,
    );
  const declared = input.dims ?? [];
  if (
    declared.length &&
    (declared.length !== v.dims.length || declared.some((d, i) => typeof d === 'number' && d !== v.dims[i]))
  ) {
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${where} has dims [${v.dims.join(',')}], the model declares [${declared.map((d) => d ?? '?').join(',')}]`,
      'match the fixed dims; symbolic dims take any size',
    );
  }
  const n = elementCount(v.dims);
  if (v.data.length !== n)
    throw new CrossrtError(
      'USER_HOOK_INVALID',
      `${where} has ${v.data.length} element(s) for dims [${v.dims.join(',')}] (${n})`,
      'data must hold one value per element, row-major',
    );
  const data = allocate(dtype, n) as unknown as { [i: number]: unknown };
  const storage = dtypeStorage(dtype);
  for (let i = 0; i < n; i++) {
    const x = v.data[i]!;
    data[i] =
      storage === 'bigint'
        ? BigInt(x as number)
        : storage === 'string'
          ? String(x)
          : storage === 'bool'
            ? x
              ? 1
              : 0
            : Number(x);
  }
  return { dtype, dims: [...v.dims], data: data as unknown as HostTensor['data'] };
}

const JUDGED: ReadonlySet<Verdict> = new Set(['pass', 'mismatch']);

export async function loadCompareHook(path: string): Promise<CompareHook> {
  const { fn, file } = await importHook(path, '--compare', ['default', 'compare']);
  const label = `compare:${basename(file)}`;
  return {
    path: file,
    label,
    async judge(pair) {
      let r: unknown;
      try {
        r = await (fn as (p: unknown) => unknown)({
          ...pair,
          metrics: pair.builtin.metrics,
          tolerance: pair.builtin.tolerance,
        });
      } catch (e) {
        throw new CrossrtError(
          'USER_HOOK_FAILED',
          `${label} threw on ${pair.output} (${pair.target} vs ${pair.reference}): ${(e as Error)?.message ?? String(e)}`,
          'fix the compare function; it gets {output, target, reference, actual, expected, metrics, tolerance}',
        );
      }
      const verdict = (r as { verdict?: unknown })?.verdict;
      const reason = (r as { reason?: unknown })?.reason;
      if (
        typeof verdict !== 'string' ||
        !JUDGED.has(verdict as Verdict) ||
        typeof reason !== 'string' ||
        reason === ''
      ) {
        throw new CrossrtError(
          'USER_HOOK_INVALID',
          `${label} returned ${JSON.stringify(r)?.slice(0, 120)} for ${pair.output}`,
          'return { verdict: "pass" | "mismatch", reason: "one line saying why" }',
        );
      }
      const b = pair.builtin;
      return {
        ...b,
        verdict: verdict as Verdict,
        reason: `${label}: ${reason} (built-in: ${b.verdict}: ${b.reason})`,
        tolerance: { ...b.tolerance, rules: [...(b.tolerance.rules ?? []), label] },
      };
    },
  };
}

/** Shape, dtype and missing outputs stay the built-in verdict: a hook judges values, not structure. */
export async function applyCompareHook(
  hook: CompareHook | undefined,
  c: Comparison,
  actual: HostTensor | undefined,
  expected: HostTensor | undefined,
): Promise<Comparison> {
  if (!hook || !actual || !expected || !JUDGED.has(c.verdict)) return c;
  return hook.judge({ output: c.output, target: c.target, reference: c.reference, actual, expected, builtin: c });
}
