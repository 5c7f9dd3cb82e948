export { PRNG_DESCRIPTION } from './seeded-stream.js';
export { parseShape, scopeDimOptions, unusedDimFlags, type DimOptions, DEFAULT_DIM } from './dim-resolution.js';
export { parseValuePlan } from './value-plan.js';
export { inspectInputs, type InputModelFacts } from './model-facts.js';
export { SEMANTIC_HEURISTICS } from './semantic-heuristics.js';
export { generateInputs, tensorSha256, type InputSet, type GeneratedInputs, SPECIAL_VALUES_SET } from './generate.js';
export { parseInputFileSpec, loadInputFiles, type InputFileSpec } from './input-files.js';
