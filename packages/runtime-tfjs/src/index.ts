export { createRuntime } from './tfjs-runtime.js';
export { activateBackend, TFJS_NODE_PACKAGE } from './tfjs-backends.js';
export * from './tfjs-tensor-bridge.js';
