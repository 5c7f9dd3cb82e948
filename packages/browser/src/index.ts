export { createBrowserRuntime } from './browser-runtime.js';
export { webGpuArgs, WEBGL_SOFTWARE_ARGS } from './chromium-executable.js';
