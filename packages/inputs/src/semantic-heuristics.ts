import type { DType, HeuristicSettings } from '@crossrt/core';
import type { DeclaredDim } from '@crossrt/model';
import type { InputModelFacts } from './model-facts.js';
import { isFloatingDType, isIntegerDType, type PlannedInput } from './value-plan.js';

export interface InputFacts extends InputModelFacts {
  readonly name: string;
  readonly dtype: DType;
  /** Resolved dims. */
  readonly dims: readonly number[];
  /** Dims as the model declares them (symbolic names kept), when known. */
  readonly declaredDims?: readonly DeclaredDim[];
}

/**
 * A heuristic recognises what an input means from its name, dtype, shape and the graph, and picks
 * realistic values. Each returns undefined when it does not apply; the first that applies wins and is
 * reported with what it found. All are switchable (config `inputs.heuristics.disabled`) and lose to
 * explicit per-input plans and files.
 */
export interface SemanticHeuristic {
  readonly name: string;
  readonly describe: string;
  readonly apply: (input: InputFacts, settings: ResolvedHeuristicSettings) => PlannedInput | undefined;
}

export interface ResolvedHeuristicSettings {
  readonly sampleRateHz: number;
  readonly tokenIdFallbackLimit: number;
  readonly maskMinFraction: number;
}

export const SAMPLE_RATE_HZ = 16000;
export const TOKEN_ID_FALLBACK_LIMIT = 100;
export const MASK_MIN_FRACTION = 0.5;

const elementCount = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const isIntLike = (d: DType) => isIntegerDType(d);
const isMaskDType = (d: DType) => isIntegerDType(d) || d === 'bool' || isFloatingDType(d);

const TOKEN_TYPE = /^(.*[._/])?(token_type_ids|segment_ids|type_ids)$/i;
const POSITION = /^(.*[._/])?(position_ids|pos_ids|positions)$/i;
const MASK =
  /^(.*[._/])?(attention_mask|attn_mask|input_mask|padding_mask|encoder_attention_mask|decoder_attention_mask|mask)$/i;
const TOKEN_IDS =
  /^(.*[._/])?(input_ids|token_ids|ids|tokens|input_tokens|decoder_input_ids|src_tokens|tgt_tokens|word_ids)$/i;
const STATE = /^(state|states|h|c|h0|c0|hn|cn|hidden|hidden_state|.*_state|state_.*|past_.*|.*\.past_.*)$/i;
const IMAGE_NAME = /pixel|image|img/i;

/** Image-like: rank 4 with 3 channels on axis 1 (NCHW) or 3 (NHWC), or an image-ish name with rank 3–4. */
function imageLayout(i: InputFacts): string | undefined {
  const d = i.declaredDims ?? i.dims;
  if (IMAGE_NAME.test(i.name) && (i.dims.length === 3 || i.dims.length === 4))
    return `name "${i.name}", rank ${i.dims.length}`;
  if (i.dims.length !== 4) return undefined;
  const spatialOk = (a: DeclaredDim | undefined, resolved: number | undefined) =>
    typeof a !== 'number' || (resolved ?? 0) >= 16;
  if (d[1] === 3 && spatialOk(d[2], i.dims[2]) && spatialOk(d[3], i.dims[3])) return 'NCHW with 3 channels';
  if (d[3] === 3 && spatialOk(d[1], i.dims[1]) && spatialOk(d[2], i.dims[2])) return 'NHWC with 3 channels';
  return undefined;
}

export const SEMANTIC_HEURISTICS: readonly SemanticHeuristic[] = [
  {
    name: 'sample-rate',
    describe: `integer scalar named sr / sample_rate / sampling_rate → ${SAMPLE_RATE_HZ} Hz`,
    apply: (i, s) =>
      isIntLike(i.dtype) && elementCount(i.dims) === 1 && /^(sr|sample_?rate|sampling_?rate)$/i.test(i.name)
        ? { plan: { kind: 'constant', value: s.sampleRateHz }, heuristic: `sample-rate: ${s.sampleRateHz} Hz` }
        : undefined,
  },
  {
    name: 'token-type-ids',
    describe: 'integer input named token_type_ids / segment_ids → 0s then 1s along each row',
    apply: (i) =>
      isIntLike(i.dtype) && TOKEN_TYPE.test(i.name)
        ? { plan: { kind: 'segments' }, heuristic: 'token-type-ids: segment A (0) then B (1)' }
        : undefined,
  },
  {
    name: 'position-ids',
    describe: 'integer input named position_ids → 0, 1, 2, … along the last axis',
    apply: (i) =>
      isIntLike(i.dtype) && POSITION.test(i.name)
        ? { plan: { kind: 'arange', start: 0 }, heuristic: 'position-ids: range along the last axis' }
        : undefined,
  },
  {
    name: 'attention-mask',
    describe: 'input named attention_mask / input_mask / mask → 1s with trailing 0s along each row',
    apply: (i, s) =>
      isMaskDType(i.dtype) && MASK.test(i.name)
        ? {
            plan: { kind: 'prefix-ones', minFraction: s.maskMinFraction },
            heuristic: 'attention-mask: 1s then trailing 0s (padding)',
          }
        : undefined,
  },
  {
    name: 'token-ids',
    describe:
      'integer input named input_ids / token_ids / ids → ids below the vocabulary read from the embedding Gather',
    apply: (i, s) => {
      if (!isIntLike(i.dtype) || !(TOKEN_IDS.test(i.name) || i.vocabularySize !== undefined)) return undefined;
      if (i.vocabularySize !== undefined) {
        return {
          plan: { kind: 'uniform', low: 0, high: i.vocabularySize - 1 },
          heuristic: `token-ids: vocabulary ${i.vocabularySize} from ${i.vocabularySource ?? 'the model'}`,
        };
      }
      return {
        plan: { kind: 'uniform', low: 0, high: s.tokenIdFallbackLimit - 1 },
        heuristic: `token-ids: vocabulary not found in the graph, ids below ${s.tokenIdFallbackLimit}`,
      };
    },
  },
  {
    name: 'recurrent-state',
    describe: 'float input named state / h0 / c0 / hidden / *_state / past_* → zeros (a fresh recurrent state)',
    apply: (i) =>
      isFloatingDType(i.dtype) && STATE.test(i.name)
        ? { plan: { kind: 'constant', value: 0 }, heuristic: 'recurrent-state: zeros' }
        : undefined,
  },
  {
    name: 'image-like',
    describe: 'float image-like input → [0, 1); uint8 → [0, 255]',
    apply: (i) => {
      if (!isFloatingDType(i.dtype) && i.dtype !== 'uint8') return undefined;
      const why = imageLayout(i);
      if (!why) return undefined;
      return i.dtype === 'uint8'
        ? { plan: { kind: 'uniform', low: 0, high: 255 }, heuristic: `image-like (${why}): pixel values 0..255` }
        : { plan: { kind: 'uniform', low: 0, high: 1 }, heuristic: `image-like (${why}): pixel values in [0, 1)` };
    },
  },
];

export function resolveHeuristicSettings(s: HeuristicSettings = {}): ResolvedHeuristicSettings {
  return {
    sampleRateHz: s.sampleRateHz ?? SAMPLE_RATE_HZ,
    tokenIdFallbackLimit: s.tokenIdFallbackLimit ?? TOKEN_ID_FALLBACK_LIMIT,
    maskMinFraction: s.maskMinFraction ?? MASK_MIN_FRACTION,
  };
}

/** The heuristics left after `disabled` (names, or `all`); unknown names are reported by the caller. */
export function enabledHeuristics(disabled: readonly string[] = []): readonly SemanticHeuristic[] {
  if (disabled.includes('all')) return [];
  return SEMANTIC_HEURISTICS.filter((h) => !disabled.includes(h.name));
}

export function planFromHeuristics(
  input: InputFacts,
  heuristics: readonly SemanticHeuristic[] = SEMANTIC_HEURISTICS,
  settings: ResolvedHeuristicSettings = resolveHeuristicSettings(),
): PlannedInput | undefined {
  for (const h of heuristics) {
    const p = h.apply(input, settings);
    if (p) return p;
  }
  return undefined;
}
