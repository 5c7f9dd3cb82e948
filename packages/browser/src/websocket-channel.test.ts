import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { frameSize, parseFrame, WebSocketChannel } from './websocket-channel.js';

// Frames built by hand from RFC 6455 §5.2 (FIN|opcode, MASK|len, [ext len], [mask], payload).
describe('parseFrame', () => {
  it('unmasks a short masked binary frame from the client', () => {
    const mask = [0x37, 0xfa, 0x21, 0x3d];
    const payload = [1, 2, 3];
    const frame = Buffer.from([0x82, 0x80 | 3, ...mask, ...payload.map((b, i) => b ^ mask[i % 4]!)]);
    expect(parseFrame(frame)).toMatchObject({ fin: true, opcode: 2, consumed: 9 });
    expect([...parseFrame(frame)!.payload]).toEqual(payload);
  });

  it('reads 16-bit and 64-bit extended lengths and waits for missing bytes', () => {
    const medium = Buffer.concat([Buffer.from([0x82, 126, 0x01, 0x00]), Buffer.alloc(256, 7)]);
    expect(parseFrame(medium)!.payload.length).toBe(256);
    expect(parseFrame(medium.subarray(0, 100))).toBeUndefined();
    const large = Buffer.concat([Buffer.from([0x02, 127, 0, 0, 0, 0, 0, 1, 0, 0]), Buffer.alloc(65536, 1)]);
    expect(parseFrame(large)).toMatchObject({ fin: false, opcode: 2, consumed: 10 + 65536 });
  });

  it("knows a frame's total size from its header alone", () => {
    expect(frameSize(Buffer.from([0x82]))).toBeUndefined();
    expect(frameSize(Buffer.from([0x82, 0x80 | 3]))).toBe(2 + 4 + 3);
    expect(frameSize(Buffer.from([0x82, 126]))).toBeUndefined();
    expect(frameSize(Buffer.from([0x82, 0x80 | 126, 0x01, 0x00]))).toBe(4 + 4 + 256);
    expect(frameSize(Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 0x10, 0, 0]))).toBe(10 + 1048576);
  });

  it('reassembles a large masked message split across many socket chunks and several frames', () => {
    const written: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        written.push(chunk);
        done();
      },
    });
    const got: Uint8Array[] = [];
    const req = {
      headers: { upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    } as unknown as IncomingMessage;
    WebSocketChannel.accept(req, socket, (m) => got.push(m));
    // RFC 6455 §1.3 example key → accept value.
    expect(Buffer.concat(written).toString()).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const payload = Buffer.alloc(300_000);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    const frame = (fin: boolean, opcode: number, body: Buffer) => {
      const len = Buffer.alloc(8);
      len.writeBigUInt64BE(BigInt(body.length));
      return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 127]), len, mask, body]);
    };
    // Two fragments (binary + continuation); the mask restarts per frame, so split at a multiple of 4.
    const wire = Buffer.concat([
      frame(false, 2, masked.subarray(0, 100_000)),
      frame(true, 0, masked.subarray(100_000)),
    ]);
    for (let i = 0; i < wire.length; i += 7_001) socket.emit('data', wire.subarray(i, i + 7_001));
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(payload)).toBe(true);
  });
});
