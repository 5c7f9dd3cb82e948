export * from './tolerance.js';
export * from './metrics.js';
export * from './float-metrics.js';
export * from './exact-metrics.js';
export * from './ulp-distance.js';
export * from './class-scores.js';
export * from './compare-outputs.js';
export * from './float32-simd-kernel.js';
