import { z } from 'zod';
import { TargetIdSchema } from './target.js';

/**
 * One (case, target) cell of a conformance matrix over ONNX backend test cases:
 * `pass` every expected output matched; `mismatch` an output differed (values, shape, dtype, NaN/Inf or
 * missing); `load-error` the target (or crossrt) could not load the model; `run-error` it loaded but
 * failed, crashed or timed out while running; `fallback` the numbers matched but a GPU target ran
 * some or all compute nodes on the CPU (placement proof); `unproven` the numbers matched but nothing
 * proves where a GPU target that prints its placement ran; `skipped` not run, with the reason
 * (non-tensor IO, unavailable target).
 */
export const ConformanceCellSchema = z.enum(['pass', 'mismatch', 'load-error', 'run-error', 'fallback', 'unproven', 'skipped']);
export type ConformanceCell = z.infer<typeof ConformanceCellSchema>;
export const CONFORMANCE_CELLS: readonly ConformanceCell[] = ConformanceCellSchema.options;

export const KnownFailureEntrySchema = z.object({
  /** A case name (`test_abs`), optionally with its suite (`node/test_abs`); `*` and `?` globs allowed. */
  case: z.string().min(1),
  /** Why it fails, in one line: the upstream issue, the missing kernel, the precision gap. */
  reason: z.string().min(1),
  /** The cell seen when the entry was written; informational (a different failure still counts as known). */
  cell: ConformanceCellSchema.exclude(['pass', 'skipped']).optional(),
}).strict();
export type KnownFailureEntry = z.infer<typeof KnownFailureEntrySchema>;

/**
 * A known-failures file (JSON, `//` comments allowed): one per target, like onnxruntime's backend test
 * filters. A listed case failing on that target does not fail the run; a listed case that passes is
 * reported so the entry can be removed.
 */
export const KnownFailuresFileSchema = z.object({
  target: TargetIdSchema,
  description: z.string().optional(),
  failures: z.array(KnownFailureEntrySchema),
}).strict();
export type KnownFailuresFile = z.infer<typeof KnownFailuresFileSchema>;

/** The parts of a case result a conformance cell is derived from (structurally a CaseResult). */
interface CaseForCell {
  readonly id: string;
  readonly verdict: string;
  readonly skipReason?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly outcomes: readonly { readonly target: string; readonly status: string; readonly error?: { readonly message: string } }[];
  readonly comparisons: readonly { readonly target: string; readonly verdict: string; readonly output: string; readonly reason: string; readonly inputSet?: string }[];
}

/**
 * The cell of one target for one case, with a one-line reason. Derived from the outcome and
 * comparisons only, so a matrix can be rebuilt from any saved report.
 */
export function conformanceCell(c: CaseForCell, target: string): { cell: ConformanceCell; detail: string } {
  if (c.verdict === 'skipped') return { cell: 'skipped', detail: c.skipReason ?? 'skipped' };
  if (c.error) return { cell: 'load-error', detail: `crossrt could not prepare the case: ${c.error.code}: ${c.error.message}` };
  const outcome = c.outcomes.find((o) => o.target === target);
  if (!outcome) return { cell: 'skipped', detail: `not run on ${target}` };
  const why = outcome.error?.message.split('\n')[0] ?? outcome.status;
  switch (outcome.status) {
    case 'ok': break;
    case 'unavailable': return { cell: 'skipped', detail: `target unavailable: ${why}` };
    case 'load-error': return { cell: 'load-error', detail: why };
    default: return { cell: 'run-error', detail: outcome.status === 'run-error' ? why : `${outcome.status}: ${why}` };
  }
  const mine = c.comparisons.filter((x) => x.target === target);
  const placementOnly = (v: string) => v === 'fallback' || v === 'partial-fallback' || v === 'unproven';
  const bad = mine.find((x) => x.verdict !== 'pass' && !placementOnly(x.verdict));
  const fellBack = mine.find((x) => placementOnly(x.verdict));
  if (!bad && fellBack?.verdict === 'unproven') return { cell: 'unproven', detail: fellBack.reason };
  if (!bad && fellBack) return { cell: 'fallback', detail: `${fellBack.verdict}: ${fellBack.reason}` };
  if (bad) return { cell: 'mismatch', detail: `${bad.output}${bad.inputSet ? ` @${bad.inputSet}` : ''}: ${bad.verdict}: ${bad.reason}` };
  return { cell: 'pass', detail: 'all expected outputs match' };
}

/** `node/test_abs` style key of a case dir: its folder name and the folder above it (the suite). */
export function conformanceCaseKey(caseId: string): { suite: string; name: string } {
  const parts = caseId.split(/[\\/]+/).filter((p) => p !== '');
  return { name: parts.at(-1) ?? caseId, suite: parts.at(-2) ?? '' };
}

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Whether a known-failure entry names this case (`test_x`, `node/test_x`, globs in either form). */
export function knownFailureMatches(entry: Pick<KnownFailureEntry, 'case'>, caseId: string): boolean {
  const { suite, name } = conformanceCaseKey(caseId);
  const re = globRegExp(entry.case);
  return entry.case.includes('/') ? re.test(`${suite}/${name}`) : re.test(name);
}

/**
 * Per-case tolerance overrides in the shape of onnxruntime's onnx_backend_test_series_overrides.jsonc:
 * case name (or suite/name) → atol or rtol; the other keeps the suite default.
 */
export const ToleranceOverridesFileSchema = z.object({
  atol_default: z.number().nonnegative().optional(),
  rtol_default: z.number().nonnegative().optional(),
  atol_overrides: z.record(z.string(), z.number().nonnegative()).default({}),
  rtol_overrides: z.record(z.string(), z.number().nonnegative()).default({}),
}).strict();
export type ToleranceOverridesFile = z.infer<typeof ToleranceOverridesFileSchema>;
