export * from './dtype.js';
export * from './errors.js';
export * from './float16.js';
export * from './tensor.js';
export * from './schemas/target.js';
export * from './schemas/outcome.js';
export * from './schemas/comparison.js';
export * from './schemas/report.js';
