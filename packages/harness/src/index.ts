export * from './differential-run.js';
export * from './report-builder.js';
export * from './target-execution.js';
export * from './oracle-run.js';
export * from './placement-verdict.js';
export * from './format-pair.js';
export * from './format-pair-run.js';
