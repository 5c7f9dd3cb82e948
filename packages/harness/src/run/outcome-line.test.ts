import { describe, expect, it } from 'vitest';
import { outcomeLine } from './outcome-line.js';

describe('outcomeLine', () => {
  it('is the status and the first line of the error, or the status alone', () => {
    expect(outcomeLine({ status: 'crash', error: { message: 'host process killed by SIGABRT\nstack…' } })).toBe(
      'crash: host process killed by SIGABRT',
    );
    expect(outcomeLine({ status: 'timeout' })).toBe('timeout');
    expect(outcomeLine({ status: 'run-error', error: { message: '' } })).toBe('run-error: ');
  });

  it('brief keeps what follows the last "Status Message: " and cuts at 160 characters', () => {
    const ort =
      "[ONNXRuntimeError] : 1 : FAIL : Non-zero status code returned while running Pad node. Name:'/Pad' Status Message: Pad reflect requires axis length >= 2";
    expect(outcomeLine({ status: 'run-error', error: { message: `${ort}\nmore` } }, { brief: true })).toBe(
      'run-error: Pad reflect requires axis length >= 2',
    );
    const long = 'x'.repeat(200);
    expect(outcomeLine({ status: 'load-error', error: { message: long } }, { brief: true })).toBe(
      `load-error: ${'x'.repeat(157)}...`,
    );
    expect(outcomeLine({ status: 'load-error', error: { message: 'y'.repeat(160) } }, { brief: true })).toBe(
      `load-error: ${'y'.repeat(160)}`,
    );
  });
});
