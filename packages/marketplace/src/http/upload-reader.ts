import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PluginError } from '@agentplug/models';

/** Options of {@link createUploadReader}. */
export interface UploadReaderOptions {
  /** Largest upload accepted, in bytes. */
  maxBytes: number;
  /** Uploads received at once; one more is answered UNAVAILABLE (503) with Retry-After. */
  maxConcurrent: number;
  /** Where uploads are spooled while they arrive. */
  spoolDirectory: string;
}

/** Reads uploads: streamed to a spool file while counting, then handed over whole for inspection. */
export interface UploadReader {
  /** @throws PluginError TOO_LARGE, UNAVAILABLE (too many uploads at once) */
  read(request: IncomingMessage): Promise<Buffer>;
  /** Uploads being received now. */
  readonly active: number;
}

/**
 * Makes the upload reader of a server. A slow client holds a file handle, not memory: the bytes go
 * to disk as they come, and only a complete upload under the cap is read back for inspection (so
 * memory is bounded by `maxConcurrent` × `maxBytes`).
 */
export function createUploadReader(options: UploadReaderOptions): UploadReader {
  let active = 0;
  return {
    get active() {
      return active;
    },
    async read(request) {
      const declared = Number(request.headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        throw new PluginError(
          'TOO_LARGE',
          `the upload is ${declared} bytes; at most ${options.maxBytes} are accepted`,
          {
            details: { maxBytes: options.maxBytes },
          },
        );
      }
      if (active >= options.maxConcurrent) {
        throw new PluginError('UNAVAILABLE', `the server is receiving ${active} uploads; try again shortly`, {
          details: { retryAfterSeconds: 1 },
        });
      }
      active += 1;
      await mkdir(options.spoolDirectory, { recursive: true });
      const path = join(options.spoolDirectory, `upload-${process.pid}-${randomBytes(8).toString('hex')}`);
      try {
        let total = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            total += chunk.length;
            if (total > options.maxBytes) {
              callback(
                new PluginError('TOO_LARGE', `the upload exceeds ${options.maxBytes} bytes`, {
                  details: { maxBytes: options.maxBytes },
                }),
              );
              return;
            }
            callback(null, chunk);
          },
        });
        await pipeline(request, counter, createWriteStream(path, { mode: 0o600 }));
        return await readFile(path);
      } finally {
        active -= 1;
        await rm(path, { force: true });
      }
    },
  };
}
