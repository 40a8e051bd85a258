import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from './frame-codec';

function decodeAll(chunks: Buffer[], limit?: number): { messages: unknown[]; violations: string[] } {
  const messages: unknown[] = [];
  const violations: string[] = [];
  const decoder = new FrameDecoder(
    { onMessage: (message) => messages.push(message), onViolation: (reason) => violations.push(reason) },
    limit,
  );
  for (const chunk of chunks) decoder.push(chunk);
  return { messages, violations };
}

describe('FrameDecoder', () => {
  it('decodes frames split anywhere and joined anyhow', () => {
    const frames = Buffer.concat([
      encodeFrame({ a: 1 }),
      encodeFrame([new Map([[1, 2]])]),
      encodeFrame('last'),
    ]);
    for (const size of [1, 3, 7, frames.length]) {
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < frames.length; offset += size)
        chunks.push(frames.subarray(offset, offset + size));
      expect(decodeAll(chunks)).toEqual({
        messages: [{ a: 1 }, [new Map([[1, 2]])], 'last'],
        violations: [],
      });
    }
  });

  it('stops at a frame over the limit, before buffering it', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1_000, 0);
    expect(decodeAll([header, encodeFrame('never read')], 100)).toEqual({
      messages: [],
      violations: ['it sent a frame of 1000 bytes (the limit is 100)'],
    });
  });

  it('stops at bytes that do not decode, including a typed array of an unknown kind', () => {
    const garbage = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from([9, 9, 9]), encodeFrame('after')]);
    expect(decodeAll([garbage]).violations).toEqual(['it sent a frame that does not decode']);
    const view = serialize(new Uint8Array([1, 2, 3]));
    // The host-object tag is followed by the kind of view: an index no view type has.
    const tag = view.indexOf(0x5c);
    view.writeUInt8(99, tag + 1);
    const framed = Buffer.concat([Buffer.alloc(4), view]);
    framed.writeUInt32BE(view.length, 0);
    expect(decodeAll([framed]).violations).toEqual(['it sent a frame that does not decode']);
  });

  it('decodes typed arrays and Buffers as copies of their own bytes', () => {
    const pooled = Buffer.from('tiny');
    const { messages } = decodeAll([encodeFrame({ pooled, view: new Uint16Array([7, 8]) })]);
    const [decoded] = messages as { pooled: Buffer; view: Uint16Array }[];
    expect(decoded?.pooled.toString()).toBe('tiny');
    expect(decoded?.pooled.buffer.byteLength).toBeLessThan(pooled.buffer.byteLength);
    expect([...(decoded?.view ?? [])]).toEqual([7, 8]);
  });
});
