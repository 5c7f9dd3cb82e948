export {
  pairVariantKind,
  resolveTolerance,
  policyFromTolerance,
  DEFAULT_TOLERANCE,
  ORACLE_TOLERANCE,
} from './tolerance.js';
export { computeMetrics } from './metrics.js';
export { floatPass } from './float-metrics.js';
export { compareOutput, formatNumber } from './compare-outputs.js';
export { simdKernelAvailable } from './float32-simd-kernel.js';
