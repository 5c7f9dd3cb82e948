/** Targets of `run`, `conformance`, `localize` and `reduce` when -t is not given. */
export const DEFAULT_TARGETS = 'ort-node:cpu,ort-web:wasm';
