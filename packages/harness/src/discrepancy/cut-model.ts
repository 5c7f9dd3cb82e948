import { CrossrtError, type HostTensor } from '@crossrt/core';
import { exposeTensors, extractSubgraph, valueInfo, type ExposeResult, type ModelProto } from '@crossrt/model';
import { describeFailure, type SideRunner } from './discrepancy-sides.js';

/** The exposed model with the added outputs' types removed, so the runtime infers them itself. */
export function withoutOutputTypes(exposed: ExposeResult, names: readonly string[]): ModelProto {
  const wanted = new Set(names);
  for (const o of exposed.model.graph?.output ?? [])
    if (wanted.has(o.name) && exposed.exposed.includes(o.name)) o.type = undefined;
  return exposed.model;
}

/** Values of intermediate tensors on the reference side, captured by exposing them, kept for reuse. */
export class CapturedValues {
  private readonly values: Map<string, HostTensor>;

  constructor(
    private readonly runner: SideRunner,
    private readonly proto: ModelProto,
    private readonly feeds: ReadonlyMap<string, HostTensor>,
  ) {
    this.values = new Map(feeds);
  }

  /** Everything captured so far, after capturing whatever of `names` is missing. */
  async get(names: readonly string[], chunkSize = 128): Promise<ReadonlyMap<string, HostTensor>> {
    const missing = [...new Set(names)].filter((n) => !this.values.has(n));
    for (let i = 0; i < missing.length; i += chunkSize) await this.capture(missing.slice(i, i + chunkSize));
    return this.values;
  }

  private async capture(names: readonly string[]): Promise<void> {
    let last = '';
    // Typed outputs first; an element type guessed wrong fails session creation, so retry untyped.
    for (const untyped of [false, true]) {
      const exposed = exposeTensors(this.proto, names);
      const exec = await this.runner.runReference(
        untyped ? withoutOutputTypes(exposed, names) : exposed.model,
        this.feeds,
      );
      if (exec.outcome.status === 'ok') {
        for (const n of names) {
          const t = exec.outputs[0]?.get(n);
          if (!t)
            throw new CrossrtError(
              'HOST_FAILED',
              `the reference side did not return tensor "${n}" when it was exposed`,
              'it may be a sequence or optional value, which cannot be fed as a cut input',
            );
          this.values.set(n, t);
        }
        return;
      }
      last = describeFailure(this.runner.spec.reference, exec);
    }
    throw new CrossrtError(
      'HOST_FAILED',
      `capturing ${names.length} intermediate tensor(s) on the reference side failed: ${last}`,
      'the reference target must run the model with intermediates exposed',
    );
  }
}

/**
 * The model computing `output` from the cut tensors (and whatever graph inputs it still reads). Cut
 * inputs get the captured dtype and concrete dims; the output gets the dtype and rank, so no guessed
 * type reaches the runtime.
 */
export function cutModel(
  proto: ModelProto,
  cutReads: readonly string[],
  output: string,
  values: ReadonlyMap<string, HostTensor>,
): { model: ModelProto; inputs: readonly string[] } {
  const g = proto.graph!;
  const added = [
    ...cutReads.map((name) => valueInfo({ name, dtype: values.get(name)!.dtype, dims: values.get(name)!.dims })),
    ...(values.has(output)
      ? [valueInfo({ name: output, dtype: values.get(output)!.dtype, dims: values.get(output)!.dims.map(() => null) })]
      : []),
  ];
  // extractSubgraph reads declared types from value_info and clones the model: add ours for the call only.
  g.valueInfo.unshift(...added);
  try {
    const r = extractSubgraph(proto, cutReads, [output]);
    return { model: r.model, inputs: r.inputs };
  } finally {
    g.valueInfo.splice(0, added.length);
  }
}
