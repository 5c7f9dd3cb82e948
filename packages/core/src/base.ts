/**
 * `@crossrt/core/base`: everything in core except the zod schemas — tensors, dtypes, fp16/bf16
 * codecs, errors, target ids. Host processes and runtime adapters import this entry, so a host starts
 * without building the report schemas (~55 ms of every host start-up).
 */
export * from './dtype.js';
export * from './errors.js';
export * from './float16.js';
export * from './tensor.js';
export * from './target-id.js';
export * from './package-file.js';
