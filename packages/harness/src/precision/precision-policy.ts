import {
  CrossrtError,
  numericView,
  type HostTensor,
  type PolicyCheck,
  type PrecisionPolicy,
  type Tolerance,
} from '@crossrt/core';
import { computeMetrics } from '@crossrt/compare';

/** compare's fp16 variant policy: what `crossrt compare` already asks of an fp16 variant. */
export const DEFAULT_PRECISION_POLICY: PrecisionPolicy = { minSnrDb: 30, minCosine: 0.999, minTop1: 0.99 };
/** An output equal to the reference has an infinite SNR; reports record it as this many dB. */
export const EXACT_SNR_DB = 200;

const POLICY_HINT = 'e.g. --policy snr=30,cosine=0.999,top1=0.99 or --policy allclose:rtol=1e-2,atol=1e-3';

/** `snr=30,cosine=0.999,top1=0.99` or `allclose[:rtol=…,atol=…]`, criteria combinable. */
export function parsePrecisionPolicy(spec: string): PrecisionPolicy {
  const policy: { -readonly [K in keyof PrecisionPolicy]: PrecisionPolicy[K] } = {};
  const tokens = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const part = tokens[i]!;
    if (part.startsWith('allclose')) {
      const first = part.slice('allclose'.length).replace(/^:/, '');
      const kvs = first ? [first] : [];
      while (/^(rtol|atol)=/.test(tokens[i + 1] ?? '')) kvs.push(tokens[++i]!);
      const args = new Map(kvs.map((kv) => kv.split('=') as [string, string]));
      const num = (k: string, d: number) => {
        const v = args.get(k);
        const n = v === undefined ? d : Number(v);
        if (!Number.isFinite(n) || n < 0)
          throw new CrossrtError('USAGE', `--policy allclose: ${k}=${v} is not a non-negative number`, POLICY_HINT);
        return n;
      };
      for (const k of args.keys())
        if (k !== 'rtol' && k !== 'atol')
          throw new CrossrtError('USAGE', `--policy allclose takes rtol and atol, not "${k}"`, POLICY_HINT);
      policy.allclose = { rtol: num('rtol', 1e-2), atol: num('atol', 1e-3) };
      continue;
    }
    const [key, raw] = part.split('=');
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value))
      throw new CrossrtError('USAGE', `--policy part "${part}" is not <criterion>=<number>`, POLICY_HINT);
    if (key === 'snr') policy.minSnrDb = value;
    else if (key === 'cosine') policy.minCosine = value;
    else if (key === 'top1') policy.minTop1 = value;
    else
      throw new CrossrtError(
        'USAGE',
        `unknown --policy criterion "${key}"`,
        `criteria: snr, cosine, top1, allclose; ${POLICY_HINT}`,
      );
  }
  if (Object.keys(policy).length === 0)
    throw new CrossrtError('USAGE', `--policy "${spec}" names no criterion`, POLICY_HINT);
  return policy;
}

export function describePolicy(p: PrecisionPolicy): string {
  return [
    p.minSnrDb !== undefined ? `SNR >= ${p.minSnrDb} dB` : '',
    p.minCosine !== undefined ? `cosine >= ${p.minCosine}` : '',
    p.minTop1 !== undefined ? `top-1 >= ${p.minTop1} (class scores)` : '',
    p.allclose ? `allclose rtol ${p.allclose.rtol} atol ${p.allclose.atol}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** The policy as a comparison tolerance, so the report's comparison table judges by the same rules. */
export function policyTolerance(p: PrecisionPolicy): Tolerance {
  const rules = ['precision-policy'];
  if (p.allclose && p.minSnrDb === undefined && p.minCosine === undefined && p.minTop1 === undefined) {
    return { rtol: p.allclose.rtol, atol: p.allclose.atol, source: 'cli', check: 'elementwise', rules };
  }
  return {
    rtol: p.allclose?.rtol ?? 1e-2,
    atol: p.allclose?.atol ?? 1e-3,
    source: 'cli',
    check: 'statistical',
    rules,
    ...(p.minCosine !== undefined ? { minCosine: p.minCosine } : {}),
    ...(p.minSnrDb !== undefined ? { minSnrDb: p.minSnrDb } : {}),
    ...(p.minTop1 !== undefined ? { minTop1Agreement: p.minTop1 } : {}),
  };
}

/**
 * Every criterion of the policy on one output. NaN/Inf where the reference is finite fails every
 * criterion with value and margin null (-inf). A non-float output must match exactly (allclose with 0).
 */
export function checkOutput(
  target: string,
  output: string,
  inputSet: string | undefined,
  actual: HostTensor | undefined,
  expected: HostTensor | undefined,
  p: PrecisionPolicy,
): PolicyCheck[] {
  const base = { target, output, ...(inputSet ? { inputSet } : {}) };
  const criteria = policyCriteria(p);
  if (!actual || !expected || actual.dims.join(',') !== expected.dims.join(',')) {
    return criteria.map(([criterion, threshold]) => ({
      ...base,
      criterion,
      threshold,
      value: null,
      margin: null,
      pass: false,
    }));
  }
  const m = computeMetrics(actual, expected, p.allclose?.rtol ?? 0, p.allclose?.atol ?? 0, {
    output,
    classScores: 'auto',
  });
  const broken = m.nanInfMismatches > 0;
  const out: PolicyCheck[] = [];
  for (const [criterion, threshold] of criteria) {
    let value: number | null;
    let margin: number | null;
    if (broken) {
      value = null;
      margin = null;
    } else if (criterion === 'snr') {
      value =
        m.snrDb === null || m.snrDb === undefined
          ? m.maxAbsError === 0
            ? EXACT_SNR_DB
            : null
          : Math.min(m.snrDb, EXACT_SNR_DB);
      margin = value === null ? null : value - threshold;
    } else if (criterion === 'cosine') {
      value = m.cosineSimilarity ?? 1;
      margin = value - threshold;
    } else if (criterion === 'top1') {
      if (!m.topK) continue; // not a class-score output
      value = m.topK.top1;
      margin = value - threshold;
    } else {
      value = worstAllcloseRatio(actual, expected, p.allclose!.rtol, p.allclose!.atol);
      margin = 1 - value;
    }
    out.push({ ...base, criterion, threshold, value, margin, pass: margin !== null && margin >= 0 });
  }
  return out;
}

function policyCriteria(p: PrecisionPolicy): [PolicyCheck['criterion'], number][] {
  const c: [PolicyCheck['criterion'], number][] = [];
  if (p.minSnrDb !== undefined) c.push(['snr', p.minSnrDb]);
  if (p.minCosine !== undefined) c.push(['cosine', p.minCosine]);
  if (p.minTop1 !== undefined) c.push(['top1', p.minTop1]);
  if (p.allclose) c.push(['allclose', 1]);
  return c;
}

/** The largest |a-r| / (atol + rtol*|r|) over finite pairs (1 is the allclose boundary). */
function worstAllcloseRatio(a: HostTensor, r: HostTensor, rtol: number, atol: number): number {
  const xs = numericView(a) as ArrayLike<number>;
  const ys = numericView(r) as ArrayLike<number>;
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = Number(xs[i]);
    const y = Number(ys[i]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const d = Math.abs(x - y);
    if (d === 0) continue;
    const bound = atol + rtol * Math.abs(y);
    worst = Math.max(worst, bound === 0 ? Number.MAX_VALUE : d / bound);
  }
  return worst;
}

/** The smallest margin (null = -inf) of a set of checks; +inf for no checks. */
export function worstMargin(checks: readonly PolicyCheck[]): number | null {
  let worst = Infinity;
  for (const c of checks) {
    if (c.margin === null) return null;
    worst = Math.min(worst, c.margin);
  }
  return worst;
}
