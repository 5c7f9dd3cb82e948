import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CrossrtError,
  isCrossrtError,
  isFloatDType,
  numericView,
  type DType,
  type HostTensor,
  type ReferenceCommandRecord,
} from '@crossrt/core';
import { decodeNpz, encodeNpz } from '@crossrt/model';
import { fillPlaceholders, runShell, tailLines, type ShellResult } from './shell-command.js';

/**
 * An external program as the oracle: crossrt writes each input set as `.npz`, the command computes
 * the model's outputs in whatever framework it likes and writes them as `.npz`, and every target is
 * judged against those arrays.
 */
export interface ReferenceCommandSettings {
  /** Shell command; `{inputs}`, `{outputs}` and `{model}` become quoted paths. */
  readonly command: string;
  readonly timeoutSeconds?: number;
  /** Where the command runs (default: the current directory; suite entries: the suite folder). */
  readonly cwd?: string;
  /** More placeholders, e.g. `{suiteDir}` for suite entries. */
  readonly placeholders?: Readonly<Record<string, string>>;
}

export const DEFAULT_REFERENCE_TIMEOUT_SECONDS = 300;
const TAIL_LINES = 30;

/** Comparisons and notes name the command as their reference. */
export const REFERENCE_COMMAND_SUBJECT = 'command';

const FIX_COMMAND_HINT =
  'put {outputs} in the command where it should write its .npz, e.g. `python3 ref.py {inputs} {outputs}`';

/** A command that is never told where to write can never succeed: refuse it before anything runs. */
export function checkReferenceCommandTemplate(command: string, what = '--reference-command'): void {
  if (!command.includes('{outputs}')) {
    throw new CrossrtError('USAGE', `${what} "${command}" has no {outputs} placeholder`, FIX_COMMAND_HINT);
  }
}

/** How the arrays of a reference .npz were matched to the model's outputs. */
export interface ArrayPairing {
  readonly matching: 'name' | 'position';
  /** Reference array → ONNX output, in output order. */
  readonly pairs: readonly { readonly reference: string; readonly output: string }[];
  /** Arrays no output was paired with (reported, not compared). */
  readonly extraArrays: readonly string[];
  /** Outputs no array was paired with (their comparisons are `missing`). */
  readonly missing: readonly string[];
}

/**
 * Pair by name. Only when no array is named after any output and the counts match, pair by position:
 * a script that saves `arr_0, arr_1` (numpy.savez without keywords) or its own framework's names means
 * the model's outputs in order. One shared name shows the script names its arrays, so then a missing
 * name is a missing output, never silently the neighbour's array.
 */
export function pairReferenceArrays(arrays: readonly string[], outputs: readonly string[]): ArrayPairing {
  const arraySet = new Set(arrays);
  const outputSet = new Set(outputs);
  const named = outputs.filter((o) => arraySet.has(o));
  if (named.length === 0 && outputs.length > 0 && arrays.length === outputs.length) {
    return {
      matching: 'position',
      pairs: outputs.map((output, i) => ({ reference: arrays[i]!, output })),
      extraArrays: [],
      missing: [],
    };
  }
  return {
    matching: 'name',
    pairs: named.map((o) => ({ reference: o, output: o })),
    extraArrays: arrays.filter((a) => !outputSet.has(a)),
    missing: outputs.filter((o) => !arraySet.has(o)),
  };
}

/** One input set as the harness generated it. */
export interface ReferenceInputSet {
  readonly name: string;
  readonly tensors: ReadonlyMap<string, HostTensor>;
}

export interface ReferenceRun {
  /** What the command did and how its arrays were paired; kept in the case even when it failed. */
  readonly record: ReferenceCommandRecord;
  /** Per input set: ONNX output name → the command's array. Empty when the command failed. */
  readonly outputs: readonly ReadonlyMap<string, HostTensor>[];
  /** Facts for the case notes: position matching, extra arrays, NaN/Inf in the reference. */
  readonly notes: readonly string[];
  /** Set when the command failed: the case becomes an `error` case with this. */
  readonly error?: CrossrtError;
}

/**
 * Run the reference command once per input set (a program that handles one set at a time is the
 * simplest to write), read its outputs and pair them with the model's outputs. Never throws for a
 * failing command: the failure comes back as `error` with the record and its output tail.
 */
export async function runReferenceCommand(
  settings: ReferenceCommandSettings,
  modelPath: string,
  sets: readonly ReferenceInputSet[],
  modelOutputs: readonly { name: string; dtype?: DType }[],
): Promise<ReferenceRun> {
  const outputNames = modelOutputs.map((o) => o.name);
  const declared = new Map(modelOutputs.map((o) => [o.name, o.dtype] as const));
  const timeoutSeconds = settings.timeoutSeconds ?? DEFAULT_REFERENCE_TIMEOUT_SECONDS;
  const dir = mkdtempSync(join(tmpdir(), 'crossrt-ref-'));
  const outputs: Map<string, HostTensor>[] = [];
  const notes: string[] = [];
  const extras = new Set<string>();
  const dtypeNoted = new Set<string>();
  let pairing: ArrayPairing | undefined;
  let durationMs = 0;
  let last: ShellResult | undefined;
  // What every run printed, each line tagged with its input set when there are several.
  const printed: string[] = [];
  const record = (): ReferenceCommandRecord => ({
    command: settings.command,
    exitCode: last?.exitCode ?? null,
    signal: last?.signal ?? null,
    durationMs,
    timedOut: last?.timedOut ?? false,
    ...(pairing ? { matching: pairing.matching } : {}),
    pairs: pairing ? [...pairing.pairs] : [],
    extraArrays: [...extras],
    logTail: printed.slice(-TAIL_LINES),
  });
  // On failure the inputs stay on disk, so the user can rerun the command by hand on exactly them.
  const fail = (message: string, hint: string): ReferenceRun => ({
    record: record(),
    outputs: [],
    notes,
    error: new CrossrtError('REFERENCE_COMMAND_FAILED', message, `${hint}; inputs kept in ${dir}`),
  });
  for (const set of sets) {
    const where = sets.length > 1 ? ` (input set ${set.name})` : '';
    const setDir = join(dir, set.name.replace(/[^\w.-]+/g, '_'));
    mkdirSync(setDir);
    const inputsPath = join(setDir, 'inputs.npz');
    const outputsPath = join(setDir, 'outputs.npz');
    try {
      writeFileSync(inputsPath, encodeNpz(set.tensors));
    } catch (e) {
      if (!isCrossrtError(e)) throw e;
      return fail(
        `the inputs cannot be written as .npz for the reference command: ${e.message}`,
        'feed the command only inputs with a NumPy dtype',
      );
    }
    const command = fillPlaceholders(settings.command, {
      ...settings.placeholders,
      inputs: inputsPath,
      outputs: outputsPath,
      model: modelPath,
    });
    last = await runShell(command, settings.cwd ?? process.cwd(), timeoutSeconds * 1000);
    durationMs += last.durationMs;
    printed.push(...tailLines(last.output, TAIL_LINES).map((l) => (sets.length > 1 ? `[${set.name}] ${l}` : l)));
    const lastLine = tailLines(last.output, 1)[0];
    const said = lastLine ? `; it printed last: ${lastLine}` : '';
    if (last.timedOut) {
      return fail(
        `reference command did not finish within ${timeoutSeconds} s${where} (its process group was killed)`,
        'make the command faster, or raise the limit (--reference-timeout, or timeoutSeconds in a suite entry)',
      );
    }
    if (last.signal)
      return fail(
        `reference command was killed by signal ${last.signal}${where}${said}`,
        'see referenceCommand.logTail in the JSON report',
      );
    if (last.exitCode !== 0) {
      return fail(
        `reference command exited with code ${last.exitCode}${where}${said}`,
        'see referenceCommand.logTail in the JSON report and run the command by hand',
      );
    }
    if (!existsSync(outputsPath)) {
      return fail(
        `reference command exited 0 but wrote no outputs file at {outputs}${where} (${outputsPath})`,
        'save the outputs with numpy.savez to the path that replaced {outputs}, one array per model output',
      );
    }
    let arrays: Map<string, HostTensor>;
    try {
      arrays = decodeNpz(new Uint8Array(readFileSync(outputsPath)), `reference outputs${where}`, { order: 'archive' });
    } catch (e) {
      if (!isCrossrtError(e)) throw e;
      return fail(
        `reference command wrote an unreadable outputs file${where}: ${e.message}`,
        'write the outputs with numpy.savez or numpy.savez_compressed (numeric, bool or unicode arrays)',
      );
    }
    const p = pairReferenceArrays([...arrays.keys()], outputNames);
    if (!pairing) pairing = p;
    else if (JSON.stringify(p.pairs) !== JSON.stringify(pairing.pairs)) {
      notes.push(
        `reference arrays of input set ${set.name} were paired differently from the first set: ${pairsText(p)}`,
      );
    }
    for (const a of p.extraArrays) extras.add(a);
    const paired = new Map(p.pairs.map(({ reference, output }) => [output, arrays.get(reference)!] as const));
    outputs.push(paired);
    for (const [output, t] of paired) {
      // The comparison says `dtype`; the note says the usual cause (numpy computes in float64 by default).
      const want = declared.get(output);
      if (want && t.dtype !== want && !dtypeNoted.has(output)) {
        dtypeNoted.add(output);
        notes.push(
          `reference array for output "${output}" is ${t.dtype} but the model declares ${want}: cast it in the command (numpy: .astype(np.${want === 'bool' ? 'bool_' : want}))`,
        );
      }
      const bad = nonFiniteCounts(t);
      if (bad.nan + bad.inf === 0) continue;
      const name =
        p.matching === 'position'
          ? `"${p.pairs.find((x) => x.output === output)!.reference}" (output ${output})`
          : `"${output}"`;
      notes.push(
        `reference array ${name}${where} holds ${bad.nan} NaN and ${bad.inf} Inf of ${t.data.length} element(s); NaN = NaN and equal infinities agree, any other pairing is nan-inf`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (pairing?.matching === 'position')
    notes.unshift(`reference arrays paired with the model outputs by position (names differ): ${pairsText(pairing)}`);
  if (extras.size > 0)
    notes.push(
      `reference command wrote array(s) no model output is named after, not compared: ${[...extras].join(', ')}`,
    );
  return { record: record(), outputs, notes };
}

const pairsText = (p: ArrayPairing) => p.pairs.map((x) => `${x.reference} → ${x.output}`).join(', ');

function nonFiniteCounts(t: HostTensor): { nan: number; inf: number } {
  let nan = 0,
    inf = 0;
  if (!isFloatDType(t.dtype)) return { nan, inf };
  const values = numericView(t) as ArrayLike<number>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
  }
  return { nan, inf };
}
