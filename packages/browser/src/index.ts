export * from './browser-runtime.js';
export * from './chromium-executable.js';
export * from './chromium-page.js';
export * from './loopback-server.js';
