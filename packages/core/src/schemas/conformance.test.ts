import { describe, expect, it } from 'vitest';
import { conformanceCell } from './conformance.js';

const ok = (target: string) => ({ target, status: 'ok' });
const cmp = (target: string, verdict: string, output = 'y') => ({ target, verdict, output, reason: `${verdict} because` });

describe('conformanceCell', () => {
  it('a GPU target whose numbers match but whose nodes ran on the CPU is a fallback cell, not a pass', () => {
    const c = { id: 'node/test_x', verdict: 'fail', outcomes: [ok('ort-node:webgpu')], comparisons: [cmp('ort-node:webgpu', 'pass', 'a'), cmp('ort-node:webgpu', 'partial-fallback', 'b')] };
    expect(conformanceCell(c, 'ort-node:webgpu')).toEqual({ cell: 'fallback', detail: 'partial-fallback: partial-fallback because' });
  });

  it('a numeric failure wins over a fallback on another output', () => {
    const c = { id: 'node/test_x', verdict: 'fail', outcomes: [ok('t:g')], comparisons: [cmp('t:g', 'fallback', 'a'), cmp('t:g', 'mismatch', 'b')] };
    expect(conformanceCell(c, 't:g').cell).toBe('mismatch');
  });

  it('maps run statuses and skips', () => {
    expect(conformanceCell({ id: 'a', verdict: 'fail', outcomes: [{ target: 't:c', status: 'timeout', error: { message: 'slow\nmore' } }], comparisons: [] }, 't:c'))
      .toEqual({ cell: 'run-error', detail: 'timeout: slow' });
    expect(conformanceCell({ id: 'a', verdict: 'skipped', skipReason: 'non-tensor IO', outcomes: [], comparisons: [] }, 't:c'))
      .toEqual({ cell: 'skipped', detail: 'non-tensor IO' });
    expect(conformanceCell({ id: 'a', verdict: 'pass', outcomes: [ok('t:c')], comparisons: [cmp('t:c', 'pass')] }, 't:c').cell).toBe('pass');
  });
});
