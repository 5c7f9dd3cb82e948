import { describe, expect, it } from 'vitest';
import { findPython, pythonCandidates } from './python-interpreter.js';

describe('findPython', () => {
  it('tries CROSSRT_PYTHON, then python3 on PATH, then Debian /usr/bin/python3', () => {
    expect(pythonCandidates({ CROSSRT_PYTHON: '/opt/py' }).map((c) => c.path)).toEqual(['/opt/py', 'python3', '/usr/bin/python3']);
    expect(pythonCandidates({}).map((c) => c.chosenBy)).toEqual(['python3 on PATH', '/usr/bin/python3 (Debian)']);
  });

  it('finds an interpreter that can import torch, onnx and numpy (setup installs them)', () => {
    const py = findPython(['torch', 'onnx', 'numpy'], {});
    expect(py.modules['torch']).toMatch(/^1\.13/);
    expect(py.modules['onnx']).toMatch(/^1\.12/);
    expect(py.version).toMatch(/^3\./);
  });

  it('does not fall back from a CROSSRT_PYTHON that cannot be used', () => {
    expect(() => findPython(['numpy'], { CROSSRT_PYTHON: '/nonexistent/python' })).toThrow(/CROSSRT_PYTHON=\/nonexistent\/python cannot be used: not found/);
  });

  it('names the modules a candidate lacks', () => {
    expect(() => findPython(['numpy', 'crossrt_no_such_module'], { CROSSRT_PYTHON: '/usr/bin/python3' })).toThrow(/cannot import crossrt_no_such_module/);
  });
});
