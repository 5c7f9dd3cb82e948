import { CrossrtError, PlacementPolicySchema, type PlacementPolicy } from '@crossrt/core';
import { parseShape } from '@crossrt/inputs';

export function parseNonNegativeNumber(flag: string) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < 0)
      throw new CrossrtError('USAGE', `${flag} expects a non-negative number, got "${text}"`);
    return v;
  };
}

export function parseInteger(flag: string, min = 0) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isSafeInteger(v) || v < min)
      throw new CrossrtError('USAGE', `${flag} expects an integer >= ${min}, got "${text}"`);
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

/** `--placement strict|compute|off`: how GPU targets' placement is judged. */
export function parsePlacementPolicy(text: string): PlacementPolicy {
  const p = PlacementPolicySchema.safeParse(text);
  if (!p.success) {
    throw new CrossrtError(
      'USAGE',
      `--placement expects strict, compute or off, got "${text}"`,
      'compute (default): only compute nodes on the CPU fail a GPU pass; strict: any CPU node does; off: placement never changes a verdict',
    );
  }
  return p.data;
}

export const PLACEMENT_FLAG_HELP =
  "how GPU targets' node placement is judged: compute (default; shape/control nodes on the CPU pass, compute nodes there are a fallback), strict (any CPU node is a fallback), off (never judged)";
