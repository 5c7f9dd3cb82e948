import { CrossrtError, type DimResolution } from '@crossrt/core';
import type { ValueSignature } from '@crossrt/model';

export interface DimOptions {
  /** `--dim name=value`: values for symbolic dim names. */
  readonly dims?: Readonly<Record<string, number>>;
  /** `--shape input=AxBxC`: whole shapes per input; their symbolic dims bind for other inputs. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Value for symbolic/unknown dims nobody named. Documented default: 1. */
  readonly defaultDim?: number;
}

export const DEFAULT_DIM = 1;

export interface ResolvedShapes {
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  readonly resolutions: readonly DimResolution[];
}

/**
 * Turn declared dims into concrete ones. Priority: a per-input `--shape`, then `--dim name=value`,
 * then a value bound by another input's `--shape` for the same symbol, then the default. Every dim not
 * fixed by the model gets a resolution line so the report says what was chosen and why.
 */
export function resolveShapes(inputs: readonly ValueSignature[], options: DimOptions = {}): ResolvedShapes {
  const dimFlags = options.dims ?? {};
  const shapeFlags = options.shapes ?? {};
  const defaultDim = options.defaultDim ?? DEFAULT_DIM;
  const names = new Set(inputs.map((i) => i.name));
  for (const n of Object.keys(shapeFlags)) {
    if (!names.has(n)) {
      throw new CrossrtError(
        'USAGE',
        `--shape names input "${n}", which the model does not have`,
        `model inputs: ${[...names].join(', ') || '(none)'}`,
      );
    }
  }
  const symbols = new Set(inputs.flatMap((i) => (i.dims ?? []).filter((d): d is string => typeof d === 'string')));
  for (const s of Object.keys(dimFlags)) {
    if (!symbols.has(s)) {
      throw new CrossrtError(
        'USAGE',
        `--dim names symbol "${s}", which no model input uses`,
        `symbolic dims: ${[...symbols].join(', ') || '(none)'}; use --shape input=AxB for unnamed dims`,
      );
    }
  }
  // Symbols bound by explicit shapes, so `--shape input=1x512` also sizes `state[2,batch,128]`.
  const bound = new Map<string, { value: number; from: string }>();
  for (const input of inputs) {
    const shape = shapeFlags[input.name];
    if (!shape) continue;
    const declared = input.dims;
    if (declared && declared.length !== shape.length) {
      throw new CrossrtError(
        'SHAPE_INVALID',
        `--shape ${input.name}=${shape.join('x')} has rank ${shape.length}, the model declares rank ${declared.length} [${declared.map((d) => d ?? '?').join(',')}]`,
      );
    }
    shape.forEach((v, axis) => {
      const d = declared?.[axis];
      if (typeof d === 'number' && d !== v) {
        throw new CrossrtError(
          'SHAPE_INVALID',
          `--shape ${input.name}=${shape.join('x')} sets axis ${axis} to ${v}, the model fixes it at ${d}`,
        );
      }
      if (typeof d === 'string' && !bound.has(d)) bound.set(d, { value: v, from: input.name });
    });
  }
  const shapes = new Map<string, readonly number[]>();
  const resolutions: DimResolution[] = [];
  for (const input of inputs) {
    const shape = shapeFlags[input.name];
    if (shape) {
      shapes.set(input.name, [...shape]);
      shape.forEach((value, axis) => {
        const d = input.dims?.[axis];
        if (typeof d !== 'number')
          resolutions.push({ input: input.name, axis, symbol: d ?? null, value, source: 'shape-flag' });
      });
      continue;
    }
    if (!input.dims) {
      throw new CrossrtError(
        'DIM_UNRESOLVED',
        `input "${input.name}" declares no shape (unknown rank)`,
        `give its shape: --shape ${input.name}=AxB`,
      );
    }
    const dims = input.dims.map((d, axis): number => {
      if (typeof d === 'number') return d;
      const flag = d !== null ? dimFlags[d] : undefined;
      if (flag !== undefined) {
        resolutions.push({ input: input.name, axis, symbol: d, value: flag, source: 'dim-flag' });
        return flag;
      }
      const b = d !== null ? bound.get(d) : undefined;
      if (b) {
        resolutions.push({
          input: input.name,
          axis,
          symbol: d,
          value: b.value,
          source: 'bound',
          note: `from --shape ${b.from}`,
        });
        return b.value;
      }
      resolutions.push({
        input: input.name,
        axis,
        symbol: d,
        value: defaultDim,
        source: 'default',
        note: d === null ? `unnamed dim guessed; set with --shape ${input.name}=...` : `guessed; set with --dim ${d}=N`,
      });
      return defaultDim;
    });
    shapes.set(input.name, dims);
  }
  return { shapes, resolutions };
}

export function parseShape(text: string): number[] {
  const parts = text.trim() === '' ? [] : text.split(/[x,]/);
  const dims = parts.map((p) => Number(p));
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new CrossrtError(
      'USAGE',
      `shape "${text}" is not a list of non-negative integers`,
      'write it like 1x3x224x224 (empty for a scalar)',
    );
  }
  return dims;
}

/**
 * For runs over several models: keep only the `--dim`/`--shape` entries this model can use. A flag
 * that no model at all uses is still an error (see `unusedDimFlags`), so typos are never silent.
 */
export function scopeDimOptions(inputs: readonly ValueSignature[], options: DimOptions): DimOptions {
  const names = new Set(inputs.map((i) => i.name));
  const symbols = new Set(inputs.flatMap((i) => (i.dims ?? []).filter((d): d is string => typeof d === 'string')));
  const dims = Object.fromEntries(Object.entries(options.dims ?? {}).filter(([k]) => symbols.has(k)));
  const shapes = Object.fromEntries(Object.entries(options.shapes ?? {}).filter(([k]) => names.has(k)));
  return { ...options, dims, shapes };
}

export function unusedDimFlags(signatures: readonly (readonly ValueSignature[])[], options: DimOptions): string[] {
  const names = new Set(signatures.flat().map((i) => i.name));
  const symbols = new Set(
    signatures.flat().flatMap((i) => (i.dims ?? []).filter((d): d is string => typeof d === 'string')),
  );
  return [
    ...Object.keys(options.dims ?? {})
      .filter((k) => !symbols.has(k))
      .map((k) => `--dim ${k}`),
    ...Object.keys(options.shapes ?? {})
      .filter((k) => !names.has(k))
      .map((k) => `--shape ${k}`),
  ];
}
