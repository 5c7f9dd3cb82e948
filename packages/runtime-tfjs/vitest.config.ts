import { defineConfig } from 'vitest/config';

// The integration files start Node hosts and headless Chromium (SwiftShader WebGPU/WebGL); run them one
// at a time so a software GPU page never competes with another file's hosts for the machine's cores.
export default defineConfig({ test: { fileParallelism: false } });
