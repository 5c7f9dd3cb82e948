import { describe, expect, it } from 'vitest';
import { pairVariantKind, resolveTolerance } from './tolerance.js';

const subject = { output: 'y', dtype: 'float32' as const, target: 'ort-web:wasm', reference: 'ort-node:cpu' };

describe('resolveTolerance', () => {
  it('starts from the dtype default', () => {
    expect(resolveTolerance(subject)).toMatchObject({
      rtol: 1e-5,
      atol: 1e-5,
      source: 'dtype-default',
      check: 'elementwise',
    });
    expect(resolveTolerance({ ...subject, dtype: 'float16' })).toMatchObject({ rtol: 4e-3, atol: 1e-3 });
  });

  it('layers variant kind, base, target pair and output overrides in that order', () => {
    const t = resolveTolerance(
      { ...subject, variantKind: 'fp16' },
      {
        base: { rtol: 1e-3 },
        targetPairs: { 'ort-node:cpu->ort-web:wasm': { atol: 0.5 } },
        outputs: { y: { minCosine: 0.9 } },
      },
    );
    expect(t).toMatchObject({
      check: 'statistical',
      rtol: 1e-3,
      atol: 0.5,
      minCosine: 0.9,
      minSnrDb: 30,
      source: 'output-override',
    });
    expect(t.rules).toEqual(['float32-default', 'variant:fp16', 'base', 'pair:ort-node:cpu->ort-web:wasm', 'output:y']);
  });

  it('an output override for another output leaves this one alone', () => {
    expect(resolveTolerance(subject, { outputs: { z: { rtol: 1 } } }).rtol).toBe(1e-5);
  });

  it('the lower precision of a pair picks the variant policy', () => {
    expect(pairVariantKind('fp32', 'int8')).toBe('int8');
    expect(pairVariantKind('fp16', 'fp32')).toBe('fp16');
  });
});
