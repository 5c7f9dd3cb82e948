export * from './tolerance.js';
export * from './metrics.js';
export * from './float-metrics.js';
export * from './exact-metrics.js';
export * from './ulp-distance.js';
export * from './class-scores.js';
export * from './compare-outputs.js';
