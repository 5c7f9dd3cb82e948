import { describe, expect, it } from 'vitest';
import { parseFrame } from './websocket-channel.js';

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
});
