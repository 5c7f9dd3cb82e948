export * from './seeded-stream.js';
export * from './dim-resolution.js';
export * from './value-plan.js';
export * from './semantic-heuristics.js';
export * from './generate.js';
