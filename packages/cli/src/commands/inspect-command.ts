import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Command } from 'commander';
import { formatDims } from '@crossrt/core';
import {
  DEFAULT_MEMORY_BUDGET_BYTES,
  formatBytes,
  inspectModel,
  readModelFile,
  readTensorFile,
  summarizeTensor,
  type IoDescription,
  type ModelInspection,
  type TensorSummary,
} from '@crossrt/model';
import { parseNonNegativeNumber } from '../option-parsers.js';

interface InspectFlags {
  json?: boolean;
  memoryBudget?: number;
  tensors?: boolean;
}

function ioLine(v: IoDescription): string {
  const type =
    v.kind === 'tensor'
      ? `${v.elemTypeName ?? '?'}${v.dims ? formatDims(v.dims.map((d) => d ?? '?')) : '[rank?]'}`
      : v.kind;
  return `  ${v.name}: ${type}${v.shadowsInitializer ? '  (has an initializer)' : ''}`;
}

export function renderInspection(r: ModelInspection): string {
  const lines = [
    `${r.path}  (${formatBytes(r.bytes)}, sha256 ${r.sha256.slice(0, 12)})`,
    `ir ${r.irVersion}, opsets ${
      Object.entries(r.opsets)
        .map(([d, v]) => `${d} ${v}`)
        .join(', ') || 'none'
    }, producer ${`${r.producer.name} ${r.producer.version}`.trim() || 'unknown'}${r.graphName ? `, graph "${r.graphName}"` : ''}`,
    `inputs (${r.inputs.length}):`,
    ...r.inputs.map(ioLine),
    `outputs (${r.outputs.length}):`,
    ...r.outputs.map(ioLine),
    `nodes: ${r.nodes}${r.nodesIncludingSubgraphs !== r.nodes ? ` (${r.nodesIncludingSubgraphs} with subgraphs)` : ''}`,
  ];
  const byDomain = new Map<string, string[]>();
  for (const c of r.opCounts) byDomain.set(c.domain, [...(byDomain.get(c.domain) ?? []), `${c.opType} ${c.count}`]);
  for (const [domain, ops] of byDomain)
    lines.push(`  ${domain}${domain !== 'ai.onnx' ? ' [custom domain]' : ''}: ${ops.join(', ')}`);
  if (r.localFunctions.length > 0) lines.push(`local functions: ${r.localFunctions.join(', ')}`);
  lines.push(
    `initializers: ${r.initializers.count}, ${formatBytes(r.initializers.bytes)}${r.initializers.externalBytes > 0 ? ` (${formatBytes(r.initializers.externalBytes)} external)` : ''}`,
  );
  if (r.constants.count > 0)
    lines.push(`constants: ${r.constants.count} Constant node(s), ${formatBytes(r.constants.bytes)}`);
  for (const f of r.externalFiles)
    lines.push(`  external file ${f.location}: ${f.tensors} tensor(s), ${formatBytes(f.bytes)}`);
  if (r.tensors) {
    lines.push(`intermediate tensors (${r.tensors.length}):`);
    for (const t of r.tensors) lines.push(`  ${t.name}: ${t.elemType}`);
  }
  lines.push(r.warnings.length === 0 ? 'hygiene: no warnings' : `hygiene warnings (${r.warnings.length}):`);
  for (const w of r.warnings) lines.push(`  [${w.kind}] ${w.message}`);
  return lines.join('\n');
}

export function renderTensorSummary(t: TensorSummary): string {
  const stats =
    t.min !== undefined
      ? `  min ${t.min} max ${t.max}${t.mean !== undefined ? ` mean ${Number(t.mean.toPrecision(6))}` : ''}`
      : '';
  const nonFinite = t.nonFinite ? `  ${t.nonFinite} NaN/Inf` : '';
  return `${t.name}: ${t.dtype}${formatDims(t.dims)} (${t.elements} elements)${stats}${nonFinite}\n  first: ${t.head.map((x) => JSON.stringify(x)).join(', ')}${t.elements > t.head.length ? ', …' : ''}`;
}

const TENSOR_FILES = new Set(['.pb', '.npy', '.npz']);

export function inspectCommand(): Command {
  return new Command('inspect')
    .description(
      "print a model's IR/opsets/producer, IO types and dims, op counts by domain, initializer and external data sizes, and hygiene warnings",
    )
    .argument('<file>', '.onnx model, an ONNX backend test-case dir (model.onnx), or a tensor file (.pb, .npy, .npz)')
    .option('--json', 'print JSON instead of text')
    .option(
      '--memory-budget <MiB>',
      `warn about declared tensors larger than this (default ${DEFAULT_MEMORY_BUDGET_BYTES / 2 ** 20})`,
      parseNonNegativeNumber('--memory-budget'),
    )
    .option('--tensors', 'also list intermediate tensors with their element types (names for graph surgery)')
    .action(async (model: string, flags: InspectFlags) => {
      if (TENSOR_FILES.has(extname(model).toLowerCase())) {
        const summaries = [...(await readTensorFile(model))].map(([name, t]) => summarizeTensor(name, t));
        process.stdout.write(
          flags.json ? `${JSON.stringify(summaries, null, 2)}\n` : `${summaries.map(renderTensorSummary).join('\n')}\n`,
        );
        return;
      }
      const path = await stat(model).then(
        (s) => (s.isDirectory() ? join(model, 'model.onnx') : model),
        () => model,
      );
      const loaded = await readModelFile(path);
      const inspection = inspectModel(loaded, {
        ...(flags.memoryBudget !== undefined ? { memoryBudgetBytes: flags.memoryBudget * 2 ** 20 } : {}),
        ...(flags.tensors ? { listTensors: true } : {}),
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(inspection, null, 2)}\n` : `${renderInspection(inspection)}\n`,
      );
    });
}
