/**
 * Binary tensor bundle shared by the Node side and the page (this file is served to the page as is):
 *   u32 LE header length | header JSON (UTF-8) | zero padding to 8 | tensor payloads, each 8-aligned
 * The header lists { name, dtype, dims, offset, length } per tensor (offset/length in bytes from the
 * payload start); string tensors carry their values in the header (`strings`). Payload bytes are the
 * typed array's raw little-endian memory, so fp16 written from a Float16Array reads back as Uint16Array
 * bits. No number ever goes through JSON.
 */

const ARRAY_BY_DTYPE = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

const align8 = (n) => (n + 7) & ~7;

/** @param {Record<string, {dtype: string, dims: readonly number[], data: ArrayLike<unknown>}>} tensors */
export function encodeTensorBundle(tensors) {
  const header = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype === 'string') {
      header.push({ name, dtype: t.dtype, dims: [...t.dims], strings: [...t.data] });
      continue;
    }
    const length = t.data.byteLength;
    header.push({ name, dtype: t.dtype, dims: [...t.dims], offset, length });
    offset = align8(offset + length);
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = align8(4 + headerBytes.length);
  const out = new Uint8Array(payloadStart + offset);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  let i = 0;
  for (const t of Object.values(tensors)) {
    const h = header[i++];
    if (h.dtype === 'string') continue;
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), payloadStart + h.offset);
  }
  return out;
}

/**
 * @param {Uint8Array} bytes
 * @returns {Record<string, {dtype: string, dims: number[], data: ArrayLike<unknown>}>}
 */
export function decodeTensorBundle(bytes) {
  // Views need an 8-aligned base; copy once when the transport handed us an unaligned slice.
  const base = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const view = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(base.subarray(4, 4 + headerLength)));
  const payloadStart = base.byteOffset + align8(4 + headerLength);
  const out = {};
  for (const h of header) {
    if (h.dtype === 'string') {
      out[h.name] = { dtype: 'string', dims: h.dims, data: h.strings };
      continue;
    }
    const Ctor = ARRAY_BY_DTYPE[h.dtype];
    if (!Ctor) throw new Error(`tensor ${h.name} has dtype ${h.dtype}, which the wire format does not carry`);
    out[h.name] = {
      dtype: h.dtype,
      dims: h.dims,
      data: new Ctor(base.buffer, payloadStart + h.offset, h.length / Ctor.BYTES_PER_ELEMENT),
    };
  }
  return out;
}
