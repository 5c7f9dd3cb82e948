import { z } from 'zod';

/**
 * One tensor of a conversion pair: its name on the ONNX side and on the TF.js side, and how the
 * layout differs. `perm` follows ONNX Transpose: tfjsDims[i] = onnxDims[perm[i]] (NCHW → NHWC is
 * [0, 2, 3, 1]). Omitted: inferred when unambiguous, identity for rank < 3.
 */
export const TensorMappingConfigSchema = z.object({
  onnx: z.string().min(1),
  tfjs: z.string().min(1),
  perm: z.array(z.number().int().nonnegative()).optional(),
});
export type TensorMappingConfig = z.infer<typeof TensorMappingConfigSchema>;

/**
 * A variant group across formats (`crossrt-pair.json`): one logical model as an ONNX file and a TF.js
 * model.json, with the input/output mapping. Paths are relative to the config file. Mappings left
 * out are inferred (same counts, shapes equal up to a layout permutation) and reported as inferred.
 */
export const FormatPairConfigSchema = z.object({
  name: z.string().min(1).optional(),
  onnx: z.string().min(1),
  tfjs: z.string().min(1),
  inputs: z.array(TensorMappingConfigSchema).optional(),
  outputs: z.array(TensorMappingConfigSchema).optional(),
}).strict();
export type FormatPairConfig = z.infer<typeof FormatPairConfigSchema>;
