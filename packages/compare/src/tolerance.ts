import type { Tolerance } from '@crossrt/core';

/**
 * Default tolerance between two targets: Polygraphy's rtol = atol = 1e-5, applied element-wise with
 * numpy's allclose rule |a - r| <= atol + rtol * |r|. Integers, bool and string compare exactly.
 */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-5, source: 'default' };

/** ONNX backend test suite defaults, used when expected outputs from a test case are the oracle. */
export const ORACLE_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7, source: 'oracle-default' };
