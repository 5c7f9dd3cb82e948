import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCrossrtError, type HostTensor } from '@crossrt/core';
import { encodeModel, encodeNpz, encodeTensorFile, type ModelProto } from '@crossrt/model';

export interface ReducedRepro {
  readonly reference: ModelProto;
  /** Variant mode: the variant's reduced model. */
  readonly variant?: ModelProto;
  readonly inputs: readonly string[];
  readonly values: ReadonlyMap<string, HostTensor>;
  readonly output: string;
  readonly referenceOutput?: HostTensor;
  readonly actualOutput?: HostTensor;
}

/**
 * Write a reduced repro as an ONNX backend test case (model.onnx + test_data_set_0/input_K.pb and the
 * reference side's output_0.pb) so it runs in any ONNX test runner and `crossrt conformance`; the
 * inputs also as inputs.npz for `crossrt run --input`, and the disagreeing side's output beside it.
 */
export async function writeReduction(outDir: string, repro: ReducedRepro): Promise<string[]> {
  const setDir = join(outDir, 'test_data_set_0');
  await mkdir(setDir, { recursive: true });
  const written: string[] = [];
  const put = async (path: string, bytes: Uint8Array) => {
    await writeFile(path, bytes);
    written.push(path);
  };
  await put(join(outDir, 'model.onnx'), encodeModel(repro.reference));
  if (repro.variant) await put(join(outDir, 'variant.onnx'), encodeModel(repro.variant));
  for (const [k, name] of repro.inputs.entries())
    await put(join(setDir, `input_${k}.pb`), encodeTensorFile(repro.values.get(name)!, name));
  if (repro.referenceOutput)
    await put(join(setDir, 'output_0.pb'), encodeTensorFile(repro.referenceOutput, repro.output));
  if (repro.actualOutput)
    await put(join(outDir, 'actual_output_0.pb'), encodeTensorFile(repro.actualOutput, repro.output));
  try {
    await put(join(outDir, 'inputs.npz'), encodeNpz(new Map(repro.inputs.map((n) => [n, repro.values.get(n)!]))));
  } catch (e) {
    // A dtype NumPy cannot hold (bfloat16, ...): the TensorProto files above still carry every input.
    if (!isCrossrtError(e)) throw e;
  }
  return written;
}
