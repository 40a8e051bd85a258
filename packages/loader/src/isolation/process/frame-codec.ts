import { deserialize, serialize } from 'node:v8';

/** The largest frame a plugin process may send the host: a bound on what one message can cost it. */
export const maximumFrameBytes: number = 64 * 1024 * 1024;

/** A payload starting with `{` is JSON text; V8's serialization always starts with its version tag, 0xFF. */
const jsonFirstByte = 0x7b;
/** How deep {@link jsonText} follows nested data before it leaves a message to V8's serialization. */
const maximumJsonDepth = 32;

/**
 * Writes `value` as JSON when JSON carries it exactly as V8's serialization would (text, finite
 * numbers other than -0, booleans, null, and plain objects and dense arrays of those, each object
 * once), or returns undefined. One pass, so a getter is read once, as v8.serialize reads it.
 */
function jsonValue(value: unknown, seen: Set<object>, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? `${value}` : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth >= maximumJsonDepth || seen.has(value)) return undefined;
  seen.add(value);
  const prototype = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    // Holes and extra named members survive v8.serialize but not JSON.
    if (prototype !== Array.prototype || Object.keys(value).length !== value.length) return undefined;
    let text = '[';
    for (let index = 0; index < value.length; index += 1) {
      const item = jsonValue(value[index], seen, depth + 1);
      if (item === undefined) return undefined;
      text += index === 0 ? item : `,${item}`;
    }
    return `${text}]`;
  }
  // toJSON would change what JSON writes; class instances, dates, maps and views need V8's format.
  if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value) return undefined;
  let text = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const item = jsonValue((value as Record<string, unknown>)[key], seen, depth + 1);
    if (item === undefined) return undefined;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * Encodes a message as one frame: a 4-byte big-endian length, then the message as JSON text when
 * JSON carries it exactly (the common call, several times cheaper to write and read than V8's
 * serialization), else as v8.serialize writes it (typed arrays and Buffers as their own bytes,
 * never the pooled ArrayBuffer behind a Buffer, which could hold other data of the host).
 */
export function encodeFrame(message: unknown): Buffer {
  const text =
    typeof message === 'object' && message !== null && !Array.isArray(message)
      ? jsonValue(message, new Set(), 0)
      : undefined;
  if (text !== undefined) {
    const length = Buffer.byteLength(text);
    const frame = Buffer.allocUnsafe(4 + length);
    frame.writeUInt32BE(length, 0);
    frame.write(text, 4, length, 'utf8');
    return frame;
  }
  const payload = serialize(message);
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
}

/**
 * Decodes one frame's payload into the host's own copy: JSON text is parsed into fresh objects;
 * V8's format is decoded from a copy in memory of its own (decoded views are backed by it, never
 * by a chunk that holds other bytes). Throws when it does not decode.
 */
function decodePayload(payload: Buffer): unknown {
  if (payload.length > 0 && payload[0] === jsonFirstByte) return JSON.parse(payload.toString('utf8'));
  const owned = Buffer.allocUnsafeSlow(payload.length);
  payload.copy(owned);
  return deserialize(owned);
}

/** What a {@link FrameDecoder} reports. */
export interface FrameDecoderHandlers {
  /** One decoded message: the host's own copy (decoded from bytes the host owns). */
  onMessage(message: unknown): void;
  /** The stream is not a valid frame sequence; nothing more will be reported. */
  onViolation(reason: string): void;
}

/**
 * Splits the byte stream from a plugin process into frames and decodes each into a message. A
 * frame over {@link maximumFrameBytes} or one that does not decode is a violation; the decoder
 * never throws and stops at the first violation.
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private stopped = false;

  constructor(
    private readonly handlers: FrameDecoderHandlers,
    private readonly limit: number = maximumFrameBytes,
  ) {}

  /** Feeds bytes as they arrive. */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.stopped) {
      if (this.expected < 0) {
        if (this.buffered < 4) return;
        this.expected = this.take(4).readUInt32BE(0);
        if (this.expected > this.limit) {
          this.stop(`it sent a frame of ${this.expected} bytes (the limit is ${this.limit})`);
          return;
        }
      }
      if (this.buffered < this.expected) return;
      const payload = this.take(this.expected);
      this.expected = -1;
      let message: unknown;
      try {
        message = decodePayload(payload);
      } catch {
        this.stop('it sent a frame that does not decode');
        return;
      }
      this.handlers.onMessage(message);
    }
  }

  private stop(reason: string): void {
    this.stopped = true;
    this.chunks.length = 0;
    this.buffered = 0;
    this.handlers.onViolation(reason);
  }

  /** Removes and returns the first `count` buffered bytes (a view of a chunk when they are in one). */
  private take(count: number): Buffer {
    this.buffered -= count;
    if (count === 0) return Buffer.alloc(0);
    const head = this.chunks[0] as Buffer;
    if (head.length >= count) {
      if (head.length === count) this.chunks.shift();
      else this.chunks[0] = head.subarray(count);
      return head.subarray(0, count);
    }
    const result = Buffer.allocUnsafe(count);
    let offset = 0;
    while (offset < count) {
      const first = this.chunks[0] as Buffer;
      const needed = count - offset;
      if (first.length <= needed) {
        first.copy(result, offset);
        offset += first.length;
        this.chunks.shift();
      } else {
        first.copy(result, offset, 0, needed);
        this.chunks[0] = first.subarray(needed);
        offset += needed;
      }
    }
    return result;
  }
}
