import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CheckConfigSchema,
  CrossrtError,
  firstSchemaIssue,
  readUserTextFile,
  type CheckConfig,
  type Tolerance,
  type TolerancePolicy,
  type ValuePlan,
} from '@crossrt/core';
import { loadDataLoader, type InputSettings } from '@crossrt/harness';
import { parseInputFileSpec, parseValuePlan, type InputFileSpec } from '@crossrt/inputs';
import { collectKeyValue, parseDimFlag, parseInteger, parseShapeFlag } from '../option-parsers.js';

/** Flags shared by `run` and `compare` that decide the inputs (and the config file that can hold them). */
export interface InputFlags {
  seed?: number;
  samples?: number;
  specialValues?: boolean;
  values?: Record<string, ValuePlan>;
  range?: Record<string, ValuePlan>;
  input?: InputFileSpec[];
  disableHeuristic?: string[];
  config?: string;
  dataLoader?: string;
  dim?: Record<string, number>;
  shape?: Record<string, number[]>;
  rtol?: number;
  atol?: number;
}

const parsePlan =
  (flag: string) =>
  (text: string): ValuePlan => {
    const plan = parseValuePlan(flag === '--range' ? `uniform:${text}` : text);
    if (!plan) {
      throw new CrossrtError(
        'USAGE',
        `${flag} cannot read "${text}"`,
        flag === '--range'
          ? 'write --range input=LOW,HIGH'
          : 'write --values input=uniform:LOW,HIGH | normal:MEAN,STD | constant:V | bernoulli:P | arange:START | prefix-ones:FRACTION | segments',
      );
    }
    return plan;
  };
const collect =
  <T>(parse: (t: string) => T) =>
  (text: string, acc: T[] = []) => [...acc, parse(text)];

/** Input options shared by run, compare, localize and reduce: seed, shapes, value plans, files. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'input generation seed (default 0)', parseInteger('--seed'))
    .option('--dim <name=value>', 'value of a symbolic dim (repeatable)', parseDimFlag)
    .option('--shape <input=AxB>', 'whole shape of one input; binds its symbolic dims (repeatable)', parseShapeFlag)
    .option('--default-dim <n>', 'value for symbolic dims nobody set', parseInteger('--default-dim', 1), 1)
    .option('--samples <n>', 'input sets per run (each with its own seeded values)', parseInteger('--samples', 1))
    .option(
      '--special-values',
      'add an input set with NaN, ±Inf, -0, subnormals and dtype min/max (reported as set "special-values")',
    )
    .option(
      '--values <input=plan>',
      'value plan of one input: uniform:LOW,HIGH | normal:MEAN,STD | constant:V | bernoulli:P | arange:START | prefix-ones:F | segments (repeatable)',
      collectKeyValue('--values', parsePlan('--values')),
    )
    .option(
      '--range <input=low,high>',
      'uniform range of one input (repeatable; floats [low,high), integers [low,high])',
      collectKeyValue('--range', parsePlan('--range')),
    )
    .option(
      '--input <[name=]file>',
      'feed an input from .npy, .npz, .pb (TensorProto) or .json (repeatable)',
      collect(parseInputFileSpec),
    )
    .option(
      '--data-loader <module.mjs>',
      'an ES module whose default export returns (or yields) input sets {input: {dims, data, dtype?}}; inputs it leaves out are generated',
    )
    .option(
      '--disable-heuristic <name>',
      'switch off a semantic input heuristic, or `all` (repeatable)',
      collect((s: string) => s),
    )
    .option('--config <file.json>', 'config file with `inputs` and `tolerance` sections (flags win over it)');
}

export async function readCheckConfig(path: string | undefined): Promise<CheckConfig> {
  if (!path) return {};
  const text = await readUserTextFile(path, 'config file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CrossrtError('CONFIG_INVALID', `${path} is not JSON: ${(e as Error).message}`);
  }
  const parsed = CheckConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new CrossrtError(
      'CONFIG_INVALID',
      `${path}: ${firstSchemaIssue(parsed.error)}`,
      'see CheckConfigSchema in @crossrt/core for the fields',
    );
  }
  // Paths inside the config are relative to the config file.
  const files = parsed.data.inputs?.files;
  if (files)
    parsed.data.inputs!.files = Object.fromEntries(
      Object.entries(files).map(([k, v]) => [k, resolve(dirname(path), v)]),
    );
  return parsed.data;
}

export interface ResolvedInputFlags {
  readonly seed: number;
  readonly dims?: Record<string, number>;
  readonly shapes?: Record<string, number[]>;
  readonly defaultDim?: number;
  readonly inputs: InputSettings;
  readonly policy: TolerancePolicy;
  /** The classic tolerance pair, when --rtol/--atol or the config's base set it. */
  readonly tolerance?: Tolerance;
}

/** Config first, flags over it. */
export async function resolveInputFlags(flags: InputFlags): Promise<ResolvedInputFlags> {
  const config = await readCheckConfig(flags.config);
  const ci = config.inputs ?? {};
  const plans = { ...ci.values, ...flags.range, ...flags.values };
  const files: InputFileSpec[] = [
    ...Object.entries(ci.files ?? {}).map(([name, path]) => ({ name, path })),
    ...(flags.input ?? []),
  ];
  const disabled = [...(ci.heuristics?.disabled ?? []), ...(flags.disableHeuristic ?? [])];
  const heuristics = { ...ci.heuristics, ...(disabled.length ? { disabled } : {}) };
  const samples = flags.samples ?? ci.samples;
  const specialValues = flags.specialValues ?? ci.specialValues;
  const dataLoader = flags.dataLoader ? await loadDataLoader(flags.dataLoader) : undefined;
  const dims = { ...ci.dims, ...flags.dim };
  const shapes = { ...ci.shapes, ...flags.shape };
  const base = {
    ...config.tolerance?.base,
    ...(flags.rtol !== undefined ? { rtol: flags.rtol } : {}),
    ...(flags.atol !== undefined ? { atol: flags.atol } : {}),
  };
  const policy: TolerancePolicy = { ...config.tolerance, ...(Object.keys(base).length ? { base } : {}) };
  const fromCli = flags.rtol !== undefined || flags.atol !== undefined;
  const tolerance: Tolerance | undefined =
    base.rtol !== undefined || base.atol !== undefined
      ? { rtol: base.rtol ?? 1e-5, atol: base.atol ?? 1e-5, source: fromCli ? 'cli' : 'config' }
      : undefined;
  return {
    seed: flags.seed ?? ci.seed ?? 0,
    ...(Object.keys(dims).length ? { dims } : {}),
    ...(Object.keys(shapes).length ? { shapes } : {}),
    ...(ci.defaultDim ? { defaultDim: ci.defaultDim } : {}),
    inputs: {
      ...(samples ? { samples } : {}),
      ...(specialValues ? { specialValues } : {}),
      ...(Object.keys(plans).length ? { plans } : {}),
      ...(Object.keys(heuristics).length ? { heuristics } : {}),
      ...(files.length ? { files } : {}),
      ...(dataLoader ? { dataLoader } : {}),
    },
    policy,
    ...(tolerance ? { tolerance } : {}),
  };
}
