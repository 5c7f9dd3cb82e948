export { createRuntime } from './ort-web-runtime.js';
