/**
 * Runs a composite action's steps the way a GitHub runner does, without GitHub: inputs with their
 * defaults, `${{ inputs.* }}` / `${{ steps.<id>.outputs.* }}` in env, working-directory and `with`,
 * each `run` in `bash --noprofile --norc -eo pipefail`, a GITHUB_OUTPUT file per step, one
 * GITHUB_STEP_SUMMARY, later steps skipped after a failure unless `always()`. `uses:` steps are not
 * executed; they are returned with their resolved `with`, to be checked. Any other expression is an
 * error here, so the test never silently evaluates something GitHub would evaluate differently.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly shell?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly 'working-directory'?: string;
}
interface Action {
  readonly inputs: Record<string, { default?: string }>;
  readonly outputs: Record<string, { value: string }>;
  readonly runs: { using: string; steps: Step[] };
}

export interface StepResult {
  readonly name: string;
  readonly status: 'success' | 'failure' | 'skipped' | 'not-run (uses)';
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly uses?: string;
  readonly with?: Record<string, string>;
}

export interface ActionRun {
  readonly steps: StepResult[];
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly failed: boolean;
}

export function runCompositeAction(
  actionFile: string,
  given: Record<string, string>,
  options: { cwd: string; env: NodeJS.ProcessEnv; tmp?: string },
): ActionRun {
  const action = YAML.parse(readFileSync(actionFile, 'utf8')) as Action;
  if (action.runs.using !== 'composite') throw new Error(`${actionFile} is not a composite action`);
  for (const k of Object.keys(given)) if (!(k in action.inputs)) throw new Error(`unknown input ${k}`);
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, given[k] ?? v.default ?? '']));
  const stepOutputs: Record<string, Record<string, string>> = {};
  const scratch = mkdtempSync(join(options.tmp ?? tmpdir(), 'crossrt-action-'));
  const summaryFile = join(scratch, 'step-summary.md');
  writeFileSync(summaryFile, '');

  const value = (expr: string): string => {
    const e = expr.trim();
    let m = /^inputs\.([\w-]+)$/.exec(e);
    if (m) {
      if (!(m[1]! in inputs)) throw new Error(`unknown input in expression: ${e}`);
      return inputs[m[1]!]!;
    }
    m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
    if (m) return stepOutputs[m[1]!]?.[m[2]!] ?? '';
    m = /^'([^']*)'$/.exec(e);
    if (m) return m[1]!;
    throw new Error(`expression not supported by this runner: ${e}`);
  };
  const interpolate = (text: string): string => text.replace(/\$\{\{(.+?)\}\}/g, (_, e: string) => value(e));
  let failed = false;
  const condition = (text: string | undefined): boolean => {
    if (text === undefined) return !failed;
    const body = text.trim().replace(/^\$\{\{(.*)\}\}$/s, '$1');
    let usesStatus = false;
    const terms = body.split('&&').map((t) => {
      const term = t.trim();
      if (term === 'always()') {
        usesStatus = true;
        return true;
      }
      if (term === 'success()') {
        usesStatus = true;
        return !failed;
      }
      if (term === 'failure()') {
        usesStatus = true;
        return failed;
      }
      const m = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(term);
      if (!m) throw new Error(`condition not supported by this runner: ${term}`);
      return (value(m[1]!) === value(m[3]!)) === (m[2] === '==');
    });
    // Like GitHub: without a status function the condition is ANDed with success().
    return terms.every(Boolean) && (usesStatus || !failed);
  };

  const steps: StepResult[] = [];
  for (const [i, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${i + 1}`;
    if (!condition(step.if)) {
      steps.push({ name, status: 'skipped', stdout: '', stderr: '', outputs: {} });
      continue;
    }
    if (step.uses) {
      const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
      steps.push({ name, status: 'not-run (uses)', stdout: '', stderr: '', outputs: {}, uses: step.uses, with: withs });
      continue;
    }
    if (step.shell !== 'bash') throw new Error(`${name}: only shell: bash is supported`);
    const script = join(scratch, `step-${i}.sh`);
    const outputFile = join(scratch, `step-${i}.output`);
    writeFileSync(script, step.run ?? '');
    writeFileSync(outputFile, '');
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: resolve(options.cwd, interpolate(step['working-directory'] ?? '.')),
      encoding: 'utf8',
      timeout: 600_000,
      env: {
        ...options.env,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: dirname(resolve(actionFile)),
        RUNNER_TEMP: scratch,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        ...env,
      },
    });
    const outputs: Record<string, string> = {};
    for (const line of readFileSync(outputFile, 'utf8').split('\n').filter(Boolean)) {
      if (line.includes('<<')) throw new Error(`${name}: multi-line outputs are not supported by this runner`);
      const eq = line.indexOf('=');
      outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) stepOutputs[step.id] = outputs;
    const ok = r.status === 0;
    if (!ok) failed = true;
    steps.push({
      name,
      status: ok ? 'success' : 'failure',
      exitCode: r.status ?? -1,
      stdout: r.stdout,
      stderr: r.stderr,
      outputs,
    });
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, v]) => [k, interpolate(v.value)]));
  return { steps, outputs, summary: readFileSync(summaryFile, 'utf8'), failed };
}
