import { deserialize, serialize } from 'node:v8';

/** The largest frame a plugin process may send the host: a bound on what one message can cost it. */
export const maximumFrameBytes: number = 64 * 1024 * 1024;

/**
 * Encodes a message as one frame: a 4-byte big-endian length, then the message as v8.serialize
 * writes it (typed arrays and Buffers as their own bytes, never the pooled ArrayBuffer behind a
 * Buffer, which could hold other data of the host).
 */
export function encodeFrame(message: unknown): Buffer {
  const payload = serialize(message);
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
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
        // Decoded in the host's realm from bytes the host owns: a copy, whatever the plugin meant.
        message = deserialize(payload);
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

  /** Removes and returns the first `count` buffered bytes, copied into a buffer of their own. */
  private take(count: number): Buffer {
    // Its own memory, not a slice of the shared pool: decoded views are backed by it.
    const result = Buffer.allocUnsafeSlow(count);
    let offset = 0;
    while (offset < count) {
      const head = this.chunks[0] as Buffer;
      const needed = count - offset;
      if (head.length <= needed) {
        head.copy(result, offset);
        offset += head.length;
        this.chunks.shift();
      } else {
        head.copy(result, offset, 0, needed);
        this.chunks[0] = head.subarray(needed);
        offset += needed;
      }
    }
    this.buffered -= count;
    return result;
  }
}
