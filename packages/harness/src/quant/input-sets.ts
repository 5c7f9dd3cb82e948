import type { DimResolution, HostTensor, InputRecord } from '@crossrt/core';
import { scopeDimOptions } from '@crossrt/inputs';
import { modelSignature, type ModelProto } from '@crossrt/model';
import { prepareInputSets, type SideRunOptions } from '../run/input-settings.js';

export interface QuantInputSets {
  readonly sets: readonly ReadonlyMap<string, HostTensor>[];
  readonly records: readonly InputRecord[];
  readonly dims: readonly DimResolution[];
}

/** `count` seeded input sets for the fp32 model (files, plans and heuristics as `crossrt run` makes them). */
export async function quantInputSets(
  proto: ModelProto,
  count: number,
  options: SideRunOptions,
  also: readonly ModelProto[] = [],
): Promise<QuantInputSets> {
  const signature = modelSignature(proto);
  const dimOptions = {
    ...(options.dims ? { dims: options.dims } : {}),
    ...(options.shapes ? { shapes: options.shapes } : {}),
    ...(options.defaultDim ? { defaultDim: options.defaultDim } : {}),
  };
  const generated = await prepareInputSets(
    signature.inputs,
    [proto, ...also],
    options.seed ?? 0,
    scopeDimOptions(signature.inputs, dimOptions),
    { ...options.inputs, samples: Math.max(1, count), specialValues: false },
  );
  return { sets: generated.sets.map((s) => s.tensors), records: generated.records, dims: generated.dims };
}
