export * from './text-table.js';
export * from './console-reporter.js';
export * from './json-reporter.js';
