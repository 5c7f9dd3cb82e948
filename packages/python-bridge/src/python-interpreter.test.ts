import { describe, expect, it } from 'vitest';
import { findPython, pythonCandidates } from './python-interpreter.js';

// The interpreter itself (Debian python3 with torch, onnx, numpy) is in test/python-interpreter.test.ts.
describe('findPython', () => {
  it('tries CROSSRT_PYTHON, then python3 on PATH, then Debian /usr/bin/python3', () => {
    expect(pythonCandidates({ CROSSRT_PYTHON: '/opt/py' }).map((c) => c.path)).toEqual([
      '/opt/py',
      'python3',
      '/usr/bin/python3',
    ]);
    expect(pythonCandidates({}).map((c) => c.chosenBy)).toEqual(['python3 on PATH', '/usr/bin/python3 (Debian)']);
  });

  it('does not fall back from a CROSSRT_PYTHON that cannot be used', () => {
    expect(() => findPython(['numpy'], { CROSSRT_PYTHON: '/nonexistent/python' })).toThrow(
      /CROSSRT_PYTHON=\/nonexistent\/python cannot be used: not found/,
    );
  });
});
