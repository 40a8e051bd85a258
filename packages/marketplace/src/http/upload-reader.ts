import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';

/** Options of {@link createUploadReader}. */
export interface UploadReaderOptions {
  /** Largest upload accepted, in bytes. */
  maxBytes: number;
  /** Uploads received at once; one more is answered UNAVAILABLE (503) with Retry-After. */
  maxConcurrent: number;
  /** Where uploads are spooled while they arrive. */
  spoolDirectory: string;
  /** Longest wait for the next bytes of an upload before it is refused with TIMEOUT. Default 15 s. */
  stallTimeoutMs?: number;
}

/** Reads uploads: streamed to a spool file while counting, then handed over whole for inspection. */
export interface UploadReader {
  /**
   * Receives one upload from `caller` (who sent it: a publisher, the operator token).
   * @throws PluginError TOO_LARGE, UNAVAILABLE (too many uploads at once, or given up to another caller), TIMEOUT (the body stalled)
   */
  read(request: IncomingMessage, caller: string): Promise<Buffer>;
  /** Uploads being received now. */
  readonly active: number;
}

interface ActiveUpload {
  caller: string;
  /** Stops receiving this upload; its `read` fails with `error`. */
  abort(error: PluginError): void;
}

function unavailable(message: string): PluginError {
  return new PluginError('UNAVAILABLE', message, { details: { retryAfterSeconds: 1 } });
}

/**
 * The upload to give up so `caller` can have a slot when all are taken: the newest upload of the
 * caller holding the most slots, when that is another caller holding more than `caller` and more
 * than one. So one caller may use every slot while nobody else uploads, and never keep another out.
 */
function chooseUploadToYield(uploads: ReadonlySet<ActiveUpload>, caller: string): ActiveUpload | undefined {
  const held = new Map<string, ActiveUpload[]>();
  for (const upload of uploads) {
    const list = held.get(upload.caller) ?? [];
    list.push(upload);
    held.set(upload.caller, list);
  }
  const own = held.get(caller)?.length ?? 0;
  let busiest: ActiveUpload[] | undefined;
  for (const [holder, list] of held) {
    if (holder !== caller && list.length > (busiest?.length ?? 0)) busiest = list;
  }
  if (busiest === undefined || busiest.length < 2 || busiest.length <= own + 1) return undefined;
  return busiest[busiest.length - 1];
}

/** Streams a request body into `path`, counting and watching for stalls, until it ends or `upload.abort` is called. */
function receive(
  request: IncomingMessage,
  path: string,
  options: { maxBytes: number; stallTimeoutMs: number },
  register: (abort: (error: PluginError) => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const file = createWriteStream(path, { mode: 0o600 });
    let total = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: PluginError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      if (error === undefined) {
        file.end(() => resolve());
        return;
      }
      // Whatever else the client sends is read and dropped, so it gets the answer instead of a reset.
      request.resume();
      // Rejected once the spool file is closed, so the caller's removal of it comes after its creation.
      file.once('close', () => reject(error));
      file.destroy();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(
            new PluginError(
              'TIMEOUT',
              `the upload sent nothing for ${options.stallTimeoutMs} ms; send it again on a working connection`,
              { details: { stallTimeoutMs: options.stallTimeoutMs } },
            ),
          ),
        options.stallTimeoutMs,
      );
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > options.maxBytes) {
        finish(
          new PluginError('TOO_LARGE', `the upload exceeds ${options.maxBytes} bytes`, {
            details: { maxBytes: options.maxBytes },
          }),
        );
        return;
      }
      if (!file.write(chunk)) {
        // The disk is behind: waiting for it is not the client stalling.
        clearTimeout(timer);
        request.pause();
        file.once('drain', () => {
          if (settled) return;
          arm();
          request.resume();
        });
        return;
      }
      arm();
    };
    const onEnd = (): void => finish(undefined);
    const onError = (error: Error): void =>
      finish(new PluginError('NETWORK_ERROR', 'the upload was cut off', { cause: error }));
    file.once('error', (error) =>
      finish(new PluginError('INTERNAL', 'the upload cannot be spooled to disk', { cause: error })),
    );
    register(finish);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    arm();
  });
}

/**
 * Makes the upload reader of a server. A slow client holds a file handle, not memory: the bytes go
 * to disk as they come, and only a complete upload under the cap is read back for inspection (so
 * memory is bounded by `maxConcurrent` × `maxBytes`). An upload that stalls is refused, and when
 * every slot is taken, a caller holding several yields its newest to a caller holding fewer, so one
 * publisher's slow uploads cannot keep every other publisher out.
 */
export function createUploadReader(options: UploadReaderOptions): UploadReader {
  const uploads = new Set<ActiveUpload>();
  const stallTimeoutMs = options.stallTimeoutMs ?? 15_000;
  let spool: Promise<unknown> | undefined;
  return {
    get active() {
      return uploads.size;
    },
    async read(request, caller) {
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
      spool ??= mkdir(options.spoolDirectory, { recursive: true });
      await spool;
      // From here to `uploads.add` nothing awaits: the count checked is the count taken.
      if (uploads.size >= options.maxConcurrent) {
        const yielding = chooseUploadToYield(uploads, caller);
        if (yielding === undefined) {
          throw unavailable(`the server is receiving ${uploads.size} uploads; try again shortly`);
        }
        yielding.abort(
          unavailable('the server needs this upload slot for another publisher; send it again shortly'),
        );
      }
      const upload: ActiveUpload = { caller, abort: () => undefined };
      uploads.add(upload);
      const path = join(options.spoolDirectory, `upload-${process.pid}-${randomBytes(8).toString('hex')}`);
      try {
        await receive(request, path, { maxBytes: options.maxBytes, stallTimeoutMs }, (abort) => {
          upload.abort = (error) => {
            uploads.delete(upload);
            abort(error);
          };
        });
        return await readFile(path);
      } finally {
        uploads.delete(upload);
        await rm(path, { force: true });
      }
    },
  };
}
