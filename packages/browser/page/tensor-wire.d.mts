export interface WireTensor {
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<unknown> | ArrayBufferView;
}
export function encodeTensorBundle(tensors: Readonly<Record<string, WireTensor>>): Uint8Array;
export function decodeTensorBundle(
  bytes: Uint8Array,
): Record<string, { dtype: string; dims: number[]; data: ArrayBufferView | string[] }>;
