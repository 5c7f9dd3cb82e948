export { createRuntime } from './tfjs-runtime.js';
