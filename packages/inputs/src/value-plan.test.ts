import { describe, expect, it } from 'vitest';
import { defaultPlan, describePlan, parseValuePlan } from './value-plan.js';

describe('value plans', () => {
  it('default float plan covers both signs', () => {
    expect(defaultPlan('float32')).toEqual({ kind: 'uniform', low: -1, high: 1 });
    expect(describePlan(defaultPlan('float16'), 'float16')).toBe('uniform[-1,1)');
  });

  it('parses the command-line forms', () => {
    expect(parseValuePlan('-2,2')).toEqual({ kind: 'uniform', low: -2, high: 2 });
    expect(parseValuePlan('uniform:0,255')).toEqual({ kind: 'uniform', low: 0, high: 255 });
    expect(parseValuePlan('normal:0,0.5')).toEqual({ kind: 'normal', mean: 0, std: 0.5 });
    expect(parseValuePlan('constant:16000')).toEqual({ kind: 'constant', value: 16000 });
    expect(parseValuePlan('segments')).toEqual({ kind: 'segments' });
    expect(parseValuePlan('arange')).toEqual({ kind: 'arange', start: 0 });
    for (const bad of ['2,1', 'normal:0,-1', 'uniform:a,b', 'gamma:1,2', 'constant:1,2'])
      expect(parseValuePlan(bad)).toBeUndefined();
  });
});
