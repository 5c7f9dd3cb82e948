export * from './tolerance.js';
export * from './metrics.js';
export * from './compare-outputs.js';
