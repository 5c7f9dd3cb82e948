import { describe, expect, it } from 'vitest';
import { knownFailureMatches } from '@crossrt/core';
import { parseKnownFailures, stripJsonComments } from './known-failures.js';

describe('known-failures files', () => {
  it('accepts JSON with // and block comments, keeping comment-like text inside strings', () => {
    const f = parseKnownFailures(`{
      // ORT's filters file is JSONC too
      "target": "ort-node:cpu", /* one per target */
      "failures": [{ "case": "test_a*", "reason": "see http://example.com/x // not a comment" }]
    }`);
    expect(f).toEqual({
      target: 'ort-node:cpu',
      failures: [{ case: 'test_a*', reason: 'see http://example.com/x // not a comment' }],
    });
    expect(stripJsonComments('"a\\"//b" // c')).toBe('"a\\"//b" ');
  });

  it.each([
    ['{ "target": "ort-node:cpu", "failures": [ ', /not valid JSON/],
    ['{ "target": "nope", "failures": [] }', /target/],
    ['{ "target": "ort-node:cpu", "failures": [{ "case": "test_x" }] }', /failures\.0\.reason/],
    [
      '{ "target": "ort-node:cpu", "failures": [{ "case": "x", "reason": "r" }, { "case": "x", "reason": "r" }] }',
      /listed twice/,
    ],
    ['{ "target": "ort-node:cpu", "failures": [], "extra": 1 }', /extra|unrecognized/i],
  ])('rejects %s with KNOWN_FAILURES_INVALID', (text, message) => {
    expect(() => parseKnownFailures(text, 'kf.json')).toThrow(
      expect.objectContaining({ code: 'KNOWN_FAILURES_INVALID', message: expect.stringMatching(message) }),
    );
  });

  it('matches case names, suite-qualified names and globs', () => {
    const id = '/usr/share/libonnx-testdata/data/pytorch-operator/test_operator_add_broadcast';
    expect(knownFailureMatches({ case: 'test_operator_add_broadcast' }, id)).toBe(true);
    expect(knownFailureMatches({ case: 'pytorch-operator/test_operator_add*' }, id)).toBe(true);
    expect(knownFailureMatches({ case: 'node/test_operator_add_broadcast' }, id)).toBe(false);
    expect(knownFailureMatches({ case: 'test_operator_add' }, id)).toBe(false);
    expect(knownFailureMatches({ case: 'test_operator_?dd_broadcast' }, id)).toBe(true);
  });
});
