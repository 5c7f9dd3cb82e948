import { relative, resolve } from 'node:path';
import { Command } from 'commander';
import { scaffoldSuites, writeScaffold } from '@crossrt/harness';
import { parseTargetList } from '@crossrt/runtime';
import { DEFAULT_TARGETS } from '../default-targets.js';
import { parseDimFlag, parseShapeFlag } from '../option-parsers.js';

interface InitFlags {
  out: string;
  targets: string;
  tfjsTargets: string;
  name?: string;
  dim?: Record<string, number>;
  shape?: Record<string, number[]>;
  force?: boolean;
  print?: boolean;
}

export function initCommand(): Command {
  return new Command('init')
    .description(
      'scaffold a suite file from the models under a folder: ONNX files (fp16/int8 siblings grouped as variants) and TF.js model.json (a suite of their own, on tfjs targets)',
    )
    .argument('[dir]', 'folder to search for .onnx and TF.js model.json files', '.')
    .option(
      '-o, --out <file>',
      'the suite file to write; a TF.js suite goes next to it as <name>.tfjs.yaml',
      'crossrt.suite.yaml',
    )
    .option('-t, --targets <ids>', 'targets of the ONNX suite; the first is the reference', DEFAULT_TARGETS)
    .option('--tfjs-targets <ids>', 'targets of the TF.js suite', 'tfjs:cpu,tfjs:wasm')
    .option('--name <name>', 'suite name (default: the folder name)')
    .option(
      '--dim <name=N>',
      "set a symbolic dim for every model (repeatable); written as the suite's dims",
      parseDimFlag,
    )
    .option(
      '--shape <input=AxB>',
      "set an input's whole shape for every model declaring it (repeatable); written as the suite's shapes",
      parseShapeFlag,
    )
    .option('--force', 'replace an existing suite file')
    .option('--print', 'print the suite file(s) instead of writing them')
    .action(async (dir: string, flags: InitFlags) => {
      // Validated here so a typo fails now, not on the first `suite run`.
      const onnxTargets = parseTargetList(flags.targets).map((t) => t.id);
      const tfjsTargets = parseTargetList(flags.tfjsTargets).map((t) => t.id);
      const result = await scaffoldSuites({
        dir,
        out: resolve(flags.out),
        onnxTargets,
        tfjsTargets,
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.dim ? { dims: flags.dim } : {}),
        ...(flags.shape ? { shapes: flags.shape } : {}),
      });
      if (flags.print) {
        for (const s of result.suites) process.stdout.write(`# --- ${relative(process.cwd(), s.file)}\n${s.text}`);
      } else {
        writeScaffold(result, flags.force ?? false);
      }
      for (const s of result.suites) {
        const variants = s.models.filter((m) => m.variantOf).length;
        const unset = s.models.filter((m) => m.unset.length).length;
        const file = relative(process.cwd(), s.file);
        process.stderr.write(
          `${flags.print ? 'would write' : 'wrote'} ${file}: ${s.models.length} ${s.format === 'onnx' ? 'ONNX' : 'TF.js'} model(s)${variants ? ` (${variants} variant(s) grouped with their model)` : ''} on ${s.targets.join(', ')}\n`,
        );
        if (unset)
          process.stderr.write(
            `  ${unset} model(s) have dims nothing sets (they default to 1): see the comments in ${file}\n`,
          );
        process.stderr.write(`  run: npx crossrt suite run ${file}\n`);
      }
      for (const s of result.skipped) process.stderr.write(`skipped ${relative(process.cwd(), s.path)}: ${s.why}\n`);
    });
}
