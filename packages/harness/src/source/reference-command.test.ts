/**
 * The reference-command runner without Python: `cp {inputs} {outputs}` hands the inputs back as the
 * outputs, so what comes back is known exactly; shell one-liners fail, hang or write garbage on purpose.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { checkReferenceCommandTemplate, pairReferenceArrays, runReferenceCommand } from './reference-command.js';

const f32 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});
const x = f32([2, 2], [1, -2, 3.5, 0]);
const w = f32([2], [7, 8]);
const oneSet = [{ name: 'sample0', tensors: new Map([['x', x]]) }];
// A working folder whose name needs quoting: placeholders must reach the shell as one word each.
const work = mkdtempSync(join(tmpdir(), "crossrt ref o'dd "));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The inputs folder a failed run keeps (named in the hint), removed after checking it is there. */
function keptDir(hint: string | undefined): string {
  const dir = /inputs kept in (.+)$/.exec(hint ?? '')?.[1];
  expect(dir && existsSync(join(dir, 'sample0', 'inputs.npz')), hint).toBeTruthy();
  return dir!;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A killed child not yet reaped by its new parent is a zombie: it computes nothing any more.
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('pairReferenceArrays', () => {
  it('pairs by name and lists extra arrays and missing outputs', () => {
    expect(pairReferenceArrays(['z', 'y'], ['y', 'z'])).toEqual({
      matching: 'name',
      pairs: [
        { reference: 'y', output: 'y' },
        { reference: 'z', output: 'z' },
      ],
      extraArrays: [],
      missing: [],
    });
    expect(pairReferenceArrays(['y', 'debug'], ['y', 'z'])).toEqual({
      matching: 'name',
      pairs: [{ reference: 'y', output: 'y' }],
      extraArrays: ['debug'],
      missing: ['z'],
    });
    expect(pairReferenceArrays(['y', 'z', 'extra'], ['y', 'z'])).toMatchObject({
      matching: 'name',
      extraArrays: ['extra'],
      missing: [],
    });
  });

  it('pairs by position only when no name is shared and the counts match', () => {
    expect(pairReferenceArrays(['arr_0', 'arr_1'], ['y', 'z'])).toEqual({
      matching: 'position',
      pairs: [
        { reference: 'arr_0', output: 'y' },
        { reference: 'arr_1', output: 'z' },
      ],
      extraArrays: [],
      missing: [],
    });
    // Archive order decides, not alphabetical order.
    expect(pairReferenceArrays(['logits', 'boxes'], ['scores', 'bbox']).pairs).toEqual([
      { reference: 'logits', output: 'scores' },
      { reference: 'boxes', output: 'bbox' },
    ]);
    // Counts differ: nothing can be paired safely.
    expect(pairReferenceArrays(['a', 'b', 'c'], ['y', 'z'])).toEqual({
      matching: 'name',
      pairs: [],
      extraArrays: ['a', 'b', 'c'],
      missing: ['y', 'z'],
    });
    // One shared name means the script names its arrays: the other output is missing, not its neighbour.
    expect(pairReferenceArrays(['y', 'other'], ['y', 'z'])).toMatchObject({
      matching: 'name',
      missing: ['z'],
      extraArrays: ['other'],
    });
    expect(pairReferenceArrays([], ['y'])).toMatchObject({ matching: 'name', missing: ['y'] });
  });
});

describe('runReferenceCommand', () => {
  it('writes the inputs as .npz, reads the outputs back, pairs them by name and cleans up', async () => {
    const log = join(work, 'runs.log');
    const sets = [
      oneSet[0]!,
      {
        name: 'sample1',
        tensors: new Map([
          ['x', f32([2, 2], [5, 6, 7, 8])],
          ['w', w],
        ]),
      },
    ];
    const run = await runReferenceCommand(
      { command: 'cp {inputs} {outputs} && echo ran on {model} >> {log}', cwd: work, placeholders: { log } },
      '/m o/model.onnx',
      sets,
      [{ name: 'x', dtype: 'float32' }],
    );
    expect(run.error).toBeUndefined();
    expect(run.outputs.map((o) => [...o.keys()])).toEqual([['x'], ['x']]);
    expect(run.outputs[0]!.get('x')).toEqual(x);
    expect([...(run.outputs[1]!.get('x')!.data as Float32Array)]).toEqual([5, 6, 7, 8]);
    // One run per input set, with {model} and the extra placeholder substituted.
    expect(readFileSync(log, 'utf8')).toBe('ran on /m o/model.onnx\nran on /m o/model.onnx\n');
    expect(run.record).toMatchObject({
      exitCode: 0,
      timedOut: false,
      matching: 'name',
      pairs: [{ reference: 'x', output: 'x' }],
      extraArrays: ['w'],
    });
    expect(run.notes).toEqual([expect.stringMatching(/not compared: w$/)]);
  });

  it('pairs by position and notes it, notes NaN/Inf in the reference and a dtype the model does not declare', async () => {
    const odd = f32([4], [NaN, Infinity, NaN, 1]);
    const run = await runReferenceCommand(
      { command: 'cp {inputs} {outputs}', cwd: work },
      'm.onnx',
      [{ name: 's', tensors: new Map([['a', odd]]) }],
      [{ name: 'out', dtype: 'float16' }],
    );
    expect(run.record).toMatchObject({
      matching: 'position',
      pairs: [{ reference: 'a', output: 'out' }],
      extraArrays: [],
    });
    expect(run.outputs[0]!.get('out')).toEqual(odd);
    expect(run.notes).toEqual([
      'reference arrays paired with the model outputs by position (names differ): a → out',
      expect.stringMatching(/output "out" is float32 but the model declares float16: cast it .*astype\(np\.float16\)/),
      expect.stringMatching(/^reference array "a" \(output out\) holds 2 NaN and 1 Inf of 4 element/),
    ]);
  });

  it('a non-zero exit is REFERENCE_COMMAND_FAILED with the exit code and the output tail; the inputs stay for a rerun', async () => {
    const run = await runReferenceCommand(
      { command: 'echo computing; echo "boom: no such op" >&2; exit 4', cwd: work },
      'm.onnx',
      oneSet,
      [{ name: 'x' }],
    );
    expect(run.error).toMatchObject({
      code: 'REFERENCE_COMMAND_FAILED',
      message: 'reference command exited with code 4; it printed last: boom: no such op',
    });
    expect(run.record).toMatchObject({ exitCode: 4, timedOut: false, logTail: ['computing', 'boom: no such op'] });
    expect(run.outputs).toEqual([]);
    rmSync(keptDir(run.error?.hint), { recursive: true });
  });

  it('a signal, no outputs file and an unreadable one are failures too', async () => {
    const killed = await runReferenceCommand({ command: 'kill -TERM $$', cwd: work }, 'm.onnx', oneSet, [
      { name: 'x' },
    ]);
    expect(killed.error?.message).toBe('reference command was killed by signal SIGTERM');
    expect(killed.record).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    const silent = await runReferenceCommand({ command: 'true {outputs}', cwd: work }, 'm.onnx', oneSet, [
      { name: 'x' },
    ]);
    expect(silent.error?.message).toMatch(
      /^reference command exited 0 but wrote no outputs file at \{outputs\} \(.*outputs\.npz\)$/,
    );
    const garbage = await runReferenceCommand({ command: 'echo not-a-zip > {outputs}', cwd: work }, 'm.onnx', oneSet, [
      { name: 'x' },
    ]);
    expect(garbage.error?.message).toMatch(
      /^reference command wrote an unreadable outputs file: .*not a readable zip archive/,
    );
    expect(garbage.error?.hint).toMatch(/numpy\.savez/);
    for (const r of [killed, silent, garbage]) rmSync(keptDir(r.error?.hint), { recursive: true });
  });

  it("a timeout kills the whole process group, the command's children included", async () => {
    const pidFile = join(work, 'child.pid');
    const t0 = performance.now();
    // `sleep` is a child of the shell: killing only the shell would leave it running.
    const run = await runReferenceCommand(
      { command: 'sleep 30 & echo $! > {pid}; wait', cwd: work, timeoutSeconds: 0.5, placeholders: { pid: pidFile } },
      'm.onnx',
      oneSet,
      [{ name: 'x' }],
    );
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(run.error?.message).toBe('reference command did not finish within 0.5 s (its process group was killed)');
    expect(run.error?.hint).toMatch(/--reference-timeout/);
    expect(run.record).toMatchObject({ timedOut: true });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 40 && !processGone(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(processGone(pid)).toBe(true);
    rmSync(keptDir(run.error?.hint), { recursive: true });
  });

  it('inputs with no NumPy dtype are refused before the command runs', async () => {
    const bf16: HostTensor = { dtype: 'bfloat16', dims: [1], data: Uint16Array.of(0x3f80) };
    const run = await runReferenceCommand(
      { command: 'touch {outputs}.ran', cwd: work },
      'm.onnx',
      [{ name: 'sample0', tensors: new Map([['b', bf16]]) }],
      [{ name: 'y' }],
    );
    expect(run.error).toMatchObject({
      code: 'REFERENCE_COMMAND_FAILED',
      message: expect.stringMatching(/cannot be written as \.npz.*bfloat16/),
    });
    expect(run.record.logTail).toEqual([]);
    rmSync(/inputs kept in (.+)$/.exec(run.error!.hint!)![1]!, { recursive: true });
  });

  it('a command without {outputs} is a usage error', () => {
    expect(() => checkReferenceCommandTemplate('python3 ref.py {inputs}')).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/no \{outputs\} placeholder/) }),
    );
    expect(() => checkReferenceCommandTemplate('python3 ref.py {inputs} {outputs}')).not.toThrow();
  });
});
