import { CrossrtError } from '@crossrt/core';
import { parseShape } from '@crossrt/inputs';

export function parseNonNegativeNumber(flag: string) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new CrossrtError('USAGE', `${flag} expects a non-negative number, got "${text}"`);
    return v;
  };
}

export function parseInteger(flag: string, min = 0) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isSafeInteger(v) || v < min) throw new CrossrtError('USAGE', `${flag} expects an integer >= ${min}, got "${text}"`);
    return v;
  };
}

/** Repeatable `name=value` flags collected into a record. */
export function collectKeyValue<T>(flag: string, parseValue: (v: string) => T) {
  return (text: string, acc: Record<string, T> = {}): Record<string, T> => {
    const eq = text.lastIndexOf('=');
    if (eq <= 0) throw new CrossrtError('USAGE', `${flag} expects name=value, got "${text}"`);
    return { ...acc, [text.slice(0, eq)]: parseValue(text.slice(eq + 1)) };
  };
}

export const parseDimFlag = collectKeyValue('--dim', parseInteger('--dim value', 0));
export const parseShapeFlag = collectKeyValue('--shape', parseShape);
