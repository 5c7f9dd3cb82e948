import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * The smallest RFC 6455 server side the page needs: one connection, binary messages both ways
 * (text frames are ignored), ping/close handled. Tensors cross it as raw bytes; per message it costs
 * one frame instead of an HTTP request, and the page → Node direction avoids Chromium's slow upload
 * path for fetch bodies.
 */
export class WebSocketChannel {
  /** Received bytes not yet parsed, kept as chunks: joined only once a whole frame is there. */
  private chunks: Buffer[] = [];
  private received = 0;
  private needed = 2;
  private fragments: Buffer[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Duplex,
    private readonly onMessage: (data: Uint8Array) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  /** Complete the upgrade handshake; undefined (socket destroyed) when the request is not a WebSocket one. */
  static accept(
    req: IncomingMessage,
    socket: Duplex,
    onMessage: (data: Uint8Array) => void,
  ): WebSocketChannel | undefined {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.destroy();
      return undefined;
    }
    const accept = createHash('sha1')
      .update(key + HANDSHAKE_GUID)
      .digest('base64');
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        '',
        '',
      ].join('\r\n'),
    );
    (socket as Duplex & { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    return new WebSocketChannel(socket, onMessage);
  }

  get open(): boolean {
    return !this.closed;
  }

  /** One binary message made of `parts`, written without joining them. */
  sendBinary(...parts: Uint8Array[]): void {
    if (this.closed) throw new Error('the page channel is closed');
    const n = parts.reduce((sum, p) => sum + p.byteLength, 0);
    const header = n < 126 ? Buffer.from([0x82, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (n >= 126 && n < 65536) {
      header[0] = 0x82;
      header[1] = 126;
      header.writeUInt16BE(n, 2);
    } else if (n >= 65536) {
      header[0] = 0x82;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(n), 2);
    }
    this.socket.write(header);
    for (const p of parts) this.socket.write(p);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(Buffer.from([0x88, 0]));
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    while (this.received >= this.needed) {
      const buffered = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
      this.chunks = [buffered];
      const size = frameSize(buffered);
      if (size === undefined || buffered.length < size) {
        // Header incomplete: wait for a few more bytes; else wait for the whole frame.
        this.needed = size ?? buffered.length + 1;
        return;
      }
      const frame = parseFrame(buffered)!;
      const rest = buffered.subarray(frame.consumed);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.received = rest.length;
      this.needed = 2;
      this.handle(frame);
    }
  }

  private handle(frame: Frame): void {
    switch (frame.opcode) {
      case 0x0: // continuation
      case 0x2: // binary
        this.fragments.push(frame.payload);
        if (frame.fin) {
          const message = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
          this.fragments = [];
          this.onMessage(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
        }
        return;
      case 0x8:
        this.close();
        return;
      case 0x9: // ping → pong
        this.socket.write(Buffer.concat([Buffer.from([0x8a, frame.payload.length]), frame.payload]));
        return;
      default: // text, pong: not used by the bridge
    }
  }
}

interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
  readonly consumed: number;
}

/** Total bytes of the frame starting `buf` (header + payload), or undefined while its header is incomplete. */
export function frameSize(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const masked = (buf[1]! & 0x80) !== 0;
  const length = buf[1]! & 0x7f;
  const lengthBytes = length === 126 ? 2 : length === 127 ? 8 : 0;
  if (buf.length < 2 + lengthBytes) return undefined;
  const payload = length === 126 ? buf.readUInt16BE(2) : length === 127 ? Number(buf.readBigUInt64BE(2)) : length;
  return 2 + lengthBytes + (masked ? 4 : 0) + payload;
}

/** One frame from the start of `buf`, unmasked, or undefined until all its bytes are there. */
export function parseFrame(buf: Buffer): Frame | undefined {
  if (buf.length < 2) return undefined;
  const fin = (buf[0]! & 0x80) !== 0;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let length = buf[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return undefined;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return undefined;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (buf.length < offset + length) return undefined;
  // Copy: the receive buffer is reused, and unmasking must not touch shared memory. The copy is a
  // fresh (8-aligned) buffer, so the mask is applied four bytes at a time (a page's outputs are MBs).
  const payload = Buffer.from(new Uint8Array(length));
  payload.set(buf.subarray(offset, offset + length));
  if (masked) {
    const mask = buf.subarray(maskOffset, maskOffset + 4);
    const words = new Uint32Array(payload.buffer, payload.byteOffset, length >>> 2);
    const mask32 = mask.readUInt32LE(0);
    for (let i = 0; i < words.length; i++) words[i]! ^= mask32;
    for (let i = words.length * 4; i < length; i++) payload[i]! ^= mask[i & 3]!;
  }
  return { fin, opcode, payload, consumed: offset + length };
}
