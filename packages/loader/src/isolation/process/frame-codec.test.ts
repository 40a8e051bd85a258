import { deserialize, serialize } from 'node:v8';
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

  it('decodes JSON frames into fresh objects, and an own __proto__ key stays an own key', () => {
    const text = Buffer.from('{"type":"result","id":1,"value":{"__proto__":{"polluted":true},"x":"é"}}');
    const frame = Buffer.concat([Buffer.alloc(4), text]);
    frame.writeUInt32BE(text.length, 0);
    const { messages, violations } = decodeAll([frame.subarray(0, 9), frame.subarray(9)]);
    expect(violations).toEqual([]);
    const value = (messages[0] as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(value.x).toBe('é');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stops at a JSON frame that does not parse', () => {
    const text = Buffer.from('{"type":"result",');
    const frame = Buffer.concat([Buffer.alloc(4), text, encodeFrame({ type: 'booted' })]);
    frame.writeUInt32BE(text.length, 0);
    expect(decodeAll([frame])).toEqual({
      messages: [],
      violations: ['it sent a frame that does not decode'],
    });
  });

  it('stops at an empty frame', () => {
    expect(decodeAll([Buffer.alloc(4), encodeFrame({ type: 'booted' })])).toEqual({
      messages: [],
      violations: ['it sent a frame that does not decode'],
    });
  });
});

describe('encodeFrame', () => {
  const isJson = (frame: Buffer): boolean => frame[4] === 0x7b;
  const roundTrip = (message: unknown): unknown => decodeAll([encodeFrame(message)]).messages[0];

  it('writes plain data as JSON, and it decodes to what V8 serialization gives', () => {
    const plain = [
      { id: 1, method: 'echo', args: [1], optional: false },
      {
        id: 2,
        method: 'search',
        args: [{ query: 'a "b" \u{1F600} \ud800', limit: 10, ratio: 0.1, on: true, none: null }],
      },
      { nested: { list: [[], {}, [1, [2, [3]]]], 7: 'integer key', empty: '' } },
      Object.assign(Object.create(null), { bare: 1 }),
    ];
    for (const message of plain) {
      const frame = encodeFrame(message);
      expect(isJson(frame), JSON.stringify(message)).toBe(true);
      expect(roundTrip(message)).toStrictEqual(deserialize(serialize(message)));
    }
  });

  it('leaves to V8 serialization whatever JSON would change', () => {
    const shared = { same: true };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const holes: number[] = new Array(3);
    holes[0] = 1;
    holes[2] = 3;
    const named = Object.assign([1, 2], { extra: 'kept' });
    let deep: unknown = 'bottom';
    for (let level = 0; level < 40; level += 1) deep = [deep];
    const changed = [
      { value: undefined },
      { args: [undefined] },
      { value: -0 },
      { value: Number.NaN },
      { value: Number.POSITIVE_INFINITY },
      { value: 10n },
      { value: new Date(0) },
      { value: new Map([[1, 2]]) },
      { value: new Uint8Array([1]) },
      { value: new (class Point {})() },
      { value: [shared, shared] },
      { value: cyclic },
      { value: holes },
      { value: named },
      { value: deep },
    ];
    for (const message of changed) {
      const frame = encodeFrame(message);
      expect(isJson(frame)).toBe(false);
      expect(roundTrip(message)).toStrictEqual(deserialize(serialize(message)));
    }
    // Identity within the message survives, as V8's format keeps it.
    const pair = roundTrip({ value: [shared, shared] }) as { value: object[] };
    expect(pair.value[0]).toBe(pair.value[1]);
    // A toJSON method is not taken in place of the value: it cannot be copied, as before.
    expect(() => encodeFrame({ value: { toJSON: () => 'other' } })).toThrow(/could not be cloned/);
    expect(isJson(encodeFrame(null))).toBe(false);
    expect(isJson(encodeFrame([1]))).toBe(false);
  });

  it('reads a getter once, as V8 serialization does', () => {
    let reads = 0;
    const message = {
      get value() {
        reads += 1;
        return reads === 1 ? 'first' : new Map();
      },
    };
    expect(roundTrip(message)).toEqual({ value: 'first' });
    expect(reads).toBe(1);
  });
});
