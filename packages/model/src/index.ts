export * from './onnx-file.js';
export * from './signature.js';
export * from './tensor-proto.js';
export * from './backend-test-case.js';
export * from './graph-builder.js';
