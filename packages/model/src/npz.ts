import { unzipSync, zipSync, type Zippable } from 'fflate';
import { CrossrtError, type HostTensor } from '@crossrt/core/base';
import { decodeNpy, encodeNpy } from './npy.js';

/**
 * NumPy `.npz`: a zip of `<name>.npy` members (numpy.savez stores them, savez_compressed deflates them);
 * fflate reads both. Member names lose their `.npy` suffix, as numpy.load does. Arrays come sorted by
 * name, unless `order: 'archive'`: the order they were written in (numpy.savez writes keyword arrays
 * in call order, then positional ones as arr_0, arr_1, …), which pairing arrays by position needs.
 */
export function decodeNpz(
  bytes: Uint8Array,
  label = 'arrays.npz',
  options: { order?: 'name' | 'archive' } = {},
): Map<string, HostTensor> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (e) {
    throw new CrossrtError(
      'ARRAY_FILE_INVALID',
      `${label} is not a readable zip archive: ${(e as Error).message}`,
      'write it with numpy.savez or numpy.savez_compressed',
      { cause: e },
    );
  }
  const out = new Map<string, HostTensor>();
  // fflate fills its result in central-directory order; `.npy` names are never integer-like keys, so
  // Object.entries keeps that order.
  const entries = Object.entries(members);
  if (options.order !== 'archive') entries.sort(([a], [b]) => a.localeCompare(b));
  for (const [member, data] of entries) {
    if (member.endsWith('/')) continue;
    if (!member.endsWith('.npy')) {
      throw new CrossrtError(
        'ARRAY_FILE_INVALID',
        `${label}: member "${member}" is not a .npy array`,
        'an .npz holds only .npy members',
      );
    }
    out.set(member.slice(0, -4), decodeNpy(data, `${label}:${member}`));
  }
  return out;
}

export function encodeNpz(
  tensors: ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>,
  options: { compress?: boolean } = {},
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const files: Zippable = {};
  for (const [name, t] of entries) files[`${name}.npy`] = encodeNpy(t, name);
  // A fixed mtime keeps archives byte-identical across runs (deterministic fixtures).
  return zipSync(files, { level: options.compress ? 6 : 0, mtime: new Date('2000-01-01T00:00:00Z') });
}
