/**
 * findPython against the real interpreters setup installs (Debian /usr/bin/python3 with python3-torch,
 * python3-onnx, python3-numpy): versions read from the modules, and the module a candidate lacks named.
 */
import { describe, expect, it } from 'vitest';
import { findPython } from '../src/python-interpreter.js';

describe('findPython on the installed interpreter', () => {
  it('finds an interpreter that can import torch, onnx and numpy (setup installs them)', () => {
    const py = findPython(['torch', 'onnx', 'numpy'], {});
    expect(py.modules['torch']).toMatch(/^1\.13/);
    expect(py.modules['onnx']).toMatch(/^1\.12/);
    expect(py.version).toMatch(/^3\./);
  });

  it('names the modules a candidate lacks', () => {
    expect(() => findPython(['numpy', 'crossrt_no_such_module'], { CROSSRT_PYTHON: '/usr/bin/python3' })).toThrow(
      /cannot import crossrt_no_such_module/,
    );
  });
});
