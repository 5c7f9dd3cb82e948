export { createRuntime } from './ort-node-runtime.js';
