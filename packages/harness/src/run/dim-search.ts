import type { DimResolution } from '@crossrt/core';
import type { ValueSignature } from '@crossrt/model';

/**
 * Dims that let the model run. Every symbolic dim nobody named defaults to 1, which many real models
 * refuse (silero VAD pads its audio by reflection: "Pad reflect requires axis length >= 2"). When a
 * target fails with guessed dims, candidates are tried on it, most plausible first: what the input
 * means (an audio frame, an image side), then a short ladder. Only guessed dims change — `--dim` and
 * `--shape` are never touched — and a leading (batch) axis stays 1.
 */

export interface DimCandidate {
  /** Whole shapes for the inputs this candidate changes. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Why this value, for the report. */
  readonly why: string;
}

/** 32 ms at 16 kHz: silero VAD's frame, and a frame any 16 kHz audio model accepts. */
export const AUDIO_FRAME = 512;
export const IMAGE_SIDE = 224;
export const DIM_LADDER = [2, 8, 64, 512] as const;
/** Tries per case: the hints plus the ladder over a few inputs. */
export const MAX_DIM_TRIES = 16;

const AUDIO_NAME = /audio|wav|pcm|signal|speech|waveform|^input$|^x$/i;
const AUDIO_DIM = /seq|sample|time|length|len|frames?|audio|wav/i;
const SAMPLE_RATE = /^(sr|sample_rate|sampling_rate)$/i;

/** Guessed axes of one input that may grow: not the leading (batch) axis of a rank ≥ 2 input, and not a symbol some input has at axis 0. */
function growable(inputs: readonly ValueSignature[], guessed: readonly DimResolution[]): Map<string, number[]> {
  const leadingSymbols = new Set(inputs.map((i) => i.dims?.[0]).filter((d): d is string => typeof d === 'string'));
  const out = new Map<string, number[]>();
  for (const r of guessed) {
    const input = inputs.find((i) => i.name === r.input);
    const rank = input?.dims?.length ?? 0;
    if (rank >= 2 && r.axis === 0) continue;
    if (r.symbol && leadingSymbols.has(r.symbol)) continue;
    out.set(r.input, [...(out.get(r.input) ?? []), r.axis]);
  }
  return out;
}

/** Candidates in the order they are tried; `shapes` holds the inputs' current shapes. */
export function dimCandidates(
  inputs: readonly ValueSignature[],
  dims: readonly DimResolution[],
  shapes: ReadonlyMap<string, readonly number[]>,
): DimCandidate[] {
  const guessed = dims.filter((d) => d.source === 'default');
  const axes = growable(inputs, guessed);
  if (axes.size === 0) return [];
  const withValue = (names: readonly string[], value: number | ((input: string, axis: number) => number)) =>
    Object.fromEntries(
      names.map((n) => {
        const shape = [...(shapes.get(n) ?? [])];
        for (const a of axes.get(n) ?? []) shape[a] = typeof value === 'number' ? value : value(n, a);
        return [n, shape];
      }),
    );
  const out: DimCandidate[] = [];
  const hasSampleRate = inputs.some((i) => SAMPLE_RATE.test(i.name));
  for (const [name, ax] of axes) {
    const input = inputs.find((i) => i.name === name)!;
    const rank = input.dims?.length ?? 0;
    const float = input.dtype === 'float32' || input.dtype === 'float16';
    const audioDim = ax.some((a) => {
      const d = input.dims?.[a];
      return typeof d === 'string' && AUDIO_DIM.test(d);
    });
    if (float && rank === 2 && ax.length === 1 && ax[0] === 1 && (hasSampleRate || audioDim || AUDIO_NAME.test(name))) {
      out.push({
        shapes: withValue([name], AUDIO_FRAME),
        why: `${name} looks like 16 kHz audio (${hasSampleRate ? 'the model takes a sample rate' : audioDim ? 'its time axis is named so' : 'by its name and rank'}): one ${AUDIO_FRAME}-sample frame`,
      });
    }
    const d = input.dims ?? [];
    if (float && rank === 4 && (d[1] === 3 || d[3] === 3)) {
      const spatial = d[1] === 3 ? [2, 3] : [1, 2];
      if (spatial.every((a) => ax.includes(a)))
        out.push({
          shapes: withValue([name], (_, a) => (spatial.includes(a) ? IMAGE_SIDE : 1)),
          why: `${name} looks like an image (3 channels): ${IMAGE_SIDE}×${IMAGE_SIDE}`,
        });
    }
  }
  const names = [...axes.keys()];
  for (const v of DIM_LADDER) {
    for (const n of names) out.push({ shapes: withValue([n], v), why: `ladder: ${n}'s guessed dims = ${v}` });
    if (names.length > 1) out.push({ shapes: withValue(names, v), why: `ladder: every guessed dim = ${v}` });
  }
  return out;
}

/** The resolutions of a searched shape, relabelled so the report says they came from the search. */
export function markSearched(dims: readonly DimResolution[], candidate: DimCandidate): DimResolution[] {
  return dims.map((r) =>
    candidate.shapes[r.input] && r.source === 'shape-flag' ? { ...r, source: 'search', note: candidate.why } : r,
  );
}
