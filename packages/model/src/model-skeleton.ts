import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, TensorProtoSchema, type ModelProto, type TensorProto } from 'onnx-buf';
import { pointToExternalData } from './external-data.js';

/** ModelProto.graph, GraphProto.initializer, TensorProto.raw_data (onnx.proto field numbers). */
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const WINDOW_BYTES = 1 << 20;

/** Tensors readModelSkeleton turned into references into their own file (they need no location check). */
export const selfReferencedTensors = new WeakSet<TensorProto>();

/** Initializer payloads from this size up stay on disk; smaller ones cost less to copy than to describe. */
export const SKELETON_MIN_PAYLOAD_BYTES = 64 * 1024;

/**
 * Decode an .onnx file without reading its large weights: every initializer whose raw_data is at least
 * `minPayload` bytes comes back as an external-data reference into the .onnx file itself (location =
 * the file's name, offset and length of the payload), so the proto stays complete: anything that
 * resolves external data (readExternalBytes, inlineExternalData, writeModelFile, onnxruntime) reads the
 * same bytes, while this process holds only the graph. Reads go through one 1 MiB window and skip the
 * payloads. Returns undefined for a file this walk does not handle (a graph field split in two, groups,
 * truncation): the caller then reads the file whole and gets the full decoder's typed errors.
 */
export function readModelSkeleton(
  path: string,
  size: number,
  minPayload = SKELETON_MIN_PAYLOAD_BYTES,
): ModelProto | undefined {
  const fd = openSync(path, 'r');
  try {
    const file = new FileWindow(fd, size);
    const top = fieldsOf(file, 0, size);
    const graphs = top.filter((f) => f.field === MODEL_GRAPH);
    if (graphs.length !== 1 || graphs[0]!.wire !== 2) return undefined;
    const model = fromBinary(ModelProtoSchema, file.concat(top.filter((f) => f.field !== MODEL_GRAPH)), {
      readUnknownFields: true,
    });
    const g = graphs[0]!;
    const graphFields = fieldsOf(file, g.dataStart, g.dataEnd);
    const graph = fromBinary(GraphProtoSchema, file.concat(graphFields.filter((f) => f.field !== GRAPH_INITIALIZER)), {
      readUnknownFields: true,
    });
    const location = basename(path);
    graph.initializer = graphFields
      .filter((f) => f.field === GRAPH_INITIALIZER)
      .map((f) => initializer(file, f, minPayload, location));
    model.graph = graph;
    return model;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function initializer(file: FileWindow, f: Field, minPayload: number, location: string): TensorProto {
  if (f.dataEnd - f.dataStart < minPayload)
    return fromBinary(TensorProtoSchema, file.bytes(f.dataStart, f.dataEnd - f.dataStart), { readUnknownFields: true });
  const parts = fieldsOf(file, f.dataStart, f.dataEnd);
  const raw = parts.find((p) => p.field === TENSOR_RAW_DATA && p.wire === 2 && p.dataEnd - p.dataStart >= minPayload);
  const t = fromBinary(TensorProtoSchema, file.concat(parts.filter((p) => p !== raw)), { readUnknownFields: true });
  if (raw) {
    selfReferencedTensors.add(t);
    // Its raw_data field was left out of the decoded bytes, so rawData is already empty.
    pointToExternalData(t, location, raw.dataStart, raw.dataEnd - raw.dataStart);
  }
  return t;
}

interface Field {
  readonly field: number;
  readonly wire: number;
  /** Where the tag starts: [tagStart, dataEnd) is the whole field as written. */
  readonly tagStart: number;
  readonly dataStart: number;
  readonly dataEnd: number;
}

/** The fields of one message occupying [start, end) of the file, without reading length-delimited payloads. */
function fieldsOf(file: FileWindow, start: number, end: number): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const tagStart = pos;
    const [tag, afterTag] = file.varint(pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let dataStart = afterTag;
    let dataEnd: number;
    if (wire === 0) dataEnd = file.varint(afterTag)[1];
    else if (wire === 1) dataEnd = afterTag + 8;
    else if (wire === 5) dataEnd = afterTag + 4;
    else if (wire === 2) {
      const [len, afterLen] = file.varint(afterTag);
      dataStart = afterLen;
      dataEnd = afterLen + len;
    } else throw new Error(`wire type ${wire} not handled`);
    if (field === 0 || dataEnd > end) throw new Error('field runs past its message');
    out.push({ field, wire, tagStart, dataStart, dataEnd });
    pos = dataEnd;
  }
  return out;
}

/** Positional reads of one file through a small window, so walking headers costs no syscall each. */
class FileWindow {
  private readonly window = new Uint8Array(WINDOW_BYTES);
  private start = 0;
  private end = 0;
  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  varint(pos: number): [number, number] {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(pos + i);
      value += (b & 0x7f) * scale;
      if (b < 0x80) return [value, pos + i + 1];
      scale *= 128;
    }
    throw new Error('varint too long');
  }

  /** A copy of [pos, pos + len). */
  bytes(pos: number, len: number): Uint8Array {
    if (pos + len > this.size) throw new Error('read past the end of the file');
    // Fields are copied in file order, so a short one that misses the window moves the window to it.
    if (len <= WINDOW_BYTES / 2 && !(pos >= this.start && pos + len <= this.end)) this.fill(pos);
    if (pos >= this.start && pos + len <= this.end) return this.window.slice(pos - this.start, pos - this.start + len);
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const n = readSync(this.fd, out, done, len - done, pos + done);
      if (n === 0) throw new Error('file ended early');
      done += n;
    }
    return out;
  }

  /** The fields' bytes as they are written, one after the other: a message with only those fields. */
  concat(fields: readonly Field[]): Uint8Array {
    const total = fields.reduce((n, f) => n + f.dataEnd - f.tagStart, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const f of fields) {
      out.set(this.bytes(f.tagStart, f.dataEnd - f.tagStart), at);
      at += f.dataEnd - f.tagStart;
    }
    return out;
  }

  private byte(pos: number): number {
    if (pos < this.start || pos >= this.end) this.fill(pos);
    return this.window[pos - this.start]!;
  }

  private fill(pos: number): void {
    if (pos >= this.size) throw new Error('read past the end of the file');
    this.start = pos;
    this.end = pos + readSync(this.fd, this.window, 0, Math.min(WINDOW_BYTES, this.size - pos), pos);
    if (this.end <= pos) throw new Error('file ended early');
  }
}
