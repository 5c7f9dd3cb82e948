import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { CrossrtError, QuantizeRecordSchema } from '@crossrt/core';
import { CALIBRATION_TARGET, DEFAULT_CALIBRATION_SETS, quantizeModelFile } from '@crossrt/harness';
import { findTarget } from '@crossrt/runtime';
import { EXIT } from '../exit-codes.js';
import { collectKeyValue, parseDimFlag, parseInteger, parseShapeFlag } from '../option-parsers.js';
import { resolveInputFlags, type InputFlags } from './input-flags.js';
import { parseValuePlan } from '@crossrt/inputs';

interface QuantizeFlags extends InputFlags {
  out: string;
  perChannel?: boolean;
  reduceRange?: boolean;
  calibrationSets: number;
  activationType: string;
  target: string;
  defaultDim: number;
  json?: string;
  timeout: number;
}

const parseRange = collectKeyValue('--range', (text: string) => {
  const plan = parseValuePlan(`uniform:${text}`);
  if (!plan) throw new CrossrtError('USAGE', `--range cannot read "${text}"`, 'write --range input=LOW,HIGH');
  return plan;
});

export function quantizeCommand(): Command {
  return new Command('quantize')
    .description(
      'static int8 quantization in QDQ format (as onnxruntime quantize_static writes it): min/max calibration of every activation over seeded input sets, run on ort-node:cpu; symmetric int8 weights, asymmetric uint8/int8 activations, int32 biases',
    )
    .argument('<model>', 'the fp32 .onnx model (ai.onnx opset 10 or newer; 13 for --per-channel)')
    .requiredOption('--out <file>', 'where to write the QDQ model')
    .option(
      '--per-channel',
      'one weight scale per output channel (Conv axis 0, Gemm/MatMul their output axis) instead of one per tensor',
    )
    .option(
      '--calibration-sets <n>',
      'seeded input sets the activation ranges are taken over',
      parseInteger('--calibration-sets', 1),
      DEFAULT_CALIBRATION_SETS,
    )
    .option(
      '--reduce-range',
      "7-bit weights in [-64, 64] (onnxruntime's reduce_range): on x86 CPUs without VNNI, onnxruntime's int8 kernels saturate full-range weights",
    )
    .option('--activation-type <type>', 'uint8 (default) or int8 activations')
    .option('--seed <n>', 'seed of the calibration inputs (default 0)', parseInteger('--seed'))
    .option('--dim <name=value>', 'value of a symbolic dim (repeatable)', parseDimFlag)
    .option('--shape <input=AxB>', 'whole shape of one input (repeatable)', parseShapeFlag)
    .option('--default-dim <n>', 'value for symbolic dims nobody set', parseInteger('--default-dim', 1), 1)
    .option('--range <input=low,high>', "uniform range of one input's calibration values (repeatable)", parseRange)
    .option('-t, --target <id>', 'where calibration runs', CALIBRATION_TARGET)
    .option('--timeout <seconds>', 'time limit per load and per run', parseInteger('--timeout', 1), 120)
    .option('--json <file>', 'write what was quantized (calibration, counts, the check run) as JSON')
    .action(async (model: string, flags: QuantizeFlags) => {
      if (flags.activationType !== undefined && flags.activationType !== 'uint8' && flags.activationType !== 'int8') {
        throw new CrossrtError('USAGE', `--activation-type expects uint8 or int8, got "${flags.activationType}"`);
      }
      const resolved = await resolveInputFlags(flags);
      const record = QuantizeRecordSchema.parse(
        await quantizeModelFile({
          model,
          out: flags.out,
          perChannel: flags.perChannel === true,
          reduceRange: flags.reduceRange === true,
          calibrationSets: flags.calibrationSets,
          target: findTarget(flags.target),
          seed: resolved.seed,
          defaultDim: flags.defaultDim,
          inputs: resolved.inputs,
          timeoutMs: flags.timeout * 1000,
          ...(flags.activationType ? { activationType: flags.activationType as 'uint8' | 'int8' } : {}),
          ...(resolved.dims ? { dims: resolved.dims } : {}),
          ...(resolved.shapes ? { shapes: resolved.shapes } : {}),
        }),
      );
      const lines = [
        `quantized ${record.model} → ${record.out} (QDQ, weights int8${record.reduceRange ? ' (7-bit range)' : ''} ${record.perChannel ? 'per channel' : 'per tensor'}, activations ${record.activationType})`,
        `  calibration: ${record.calibrationSets} input set(s), seed ${record.seed}, on ${record.target}`,
        `  ${record.quantizedNodes} node(s) quantized: ${record.activations} activation(s), ${record.weights} weight(s), ${record.biases} bias(es)`,
        `  check run on ${record.target}: ${record.check.status}${record.check.message ? `: ${record.check.message}` : ''}`,
        ...record.notes.map((n) => `  note: ${n}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      if (flags.json) {
        await mkdir(dirname(flags.json), { recursive: true });
        await writeFile(flags.json, `${JSON.stringify(record, null, 2)}\n`);
        process.stdout.write(`record written to ${flags.json}\n`);
      }
      process.exitCode = record.check.status === 'ok' ? EXIT.OK : EXIT.DISCREPANCY;
    });
}
