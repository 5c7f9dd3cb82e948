export * from './runtime.js';
export * from './target-catalogue.js';
export * from './placement-log.js';
export * from './host/host-protocol.js';
export * from './host/target-host.js';
export * from './host/process-tree-memory.js';
export * from './ort-session-bridge.js';
export * from './warmup-model.js';
