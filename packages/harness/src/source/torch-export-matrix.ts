import { basename } from 'node:path';
import type { ExportSettings } from '@crossrt/core';

/** The export matrix of a torch source and the stable case ids of its points (pure; plans use it too). */

export interface ExportMatrix {
  readonly opsets: readonly number[];
  /** Constant folding settings to export with (default: on only). */
  readonly constantFolding?: readonly boolean[];
  /** Export once with static shapes and, when given, once with these axes dynamic. */
  readonly dynamicAxes?: Readonly<Record<string, readonly number[]>>;
}

/** Every point of the export matrix, in a stable order (opset, then folding, then static/dynamic). */
export function exportPoints(m: ExportMatrix): ExportSettings[] {
  const folds = m.constantFolding?.length ? m.constantFolding : [true];
  const dyn =
    m.dynamicAxes && Object.keys(m.dynamicAxes).length
      ? [{}, Object.fromEntries(Object.entries(m.dynamicAxes).map(([k, v]) => [k, [...v]]))]
      : [{}];
  return m.opsets.flatMap((opset) =>
    folds.flatMap((constantFolding) =>
      dyn.map((dynamicAxes) => ({ exporter: 'torch.onnx.export', opset, constantFolding, dynamicAxes })),
    ),
  );
}

export function pointId(name: string, p: ExportSettings): string {
  return `${name}@opset${p.opset}${p.constantFolding ? '' : '-nofold'}${Object.keys(p.dynamicAxes).length ? '-dynamic' : ''}`;
}

/** `models.resnet18` for `models.py:resnet18`: the prefix of every case id of that source. */
export function torchCaseName(callable: string): string {
  const cut = callable.lastIndexOf(':');
  return `${basename(callable.slice(0, cut)).replace(/\.py$/, '')}.${callable.slice(cut + 1)}`;
}
